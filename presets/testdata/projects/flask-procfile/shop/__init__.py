"""The shop, as a Flask application factory."""
from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def index() -> str:
        return "welcome to the shop\n"

    return app
