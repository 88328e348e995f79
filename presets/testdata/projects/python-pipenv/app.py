"""Prints the locked greeting and who runs it; --serve serves it on $PORT."""
import http.server
import os
import sys
from importlib.metadata import version

import greeting

MESSAGE = f"{greeting.greet('the pipenv fixture')}, uid {os.getuid()}\n"

if __name__ == "__main__":
    if "--serve" not in sys.argv:
        print(MESSAGE, end="")
        sys.exit(0)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = MESSAGE.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    http.server.HTTPServer(("", int(os.environ.get("PORT", "8000"))), Handler).serve_forever()
