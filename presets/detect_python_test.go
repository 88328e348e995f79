package presets_test

import "testing"

// TestProjectsPython runs Detect on the Python fixture applications.
func TestProjectsPython(t *testing.T) {
	checkProjects(t, []projectCase{
		{"django-nested", "a Django site whose requirements.txt includes requirements/production.txt, which includes base.txt and a constraints file; psycopg2 from source; STATIC_ROOT and MEDIA_ROOT", []string{"."}},
		{"fastapi-uv", "a FastAPI package locked with uv, its app object in app/main.py, a requires-python range", []string{"."}},
		{"flask-procfile", "a Flask application factory started by a Procfile web process that binds $PORT, .flaskenv and .env", []string{"."}},
		{"poetry-app", "a Poetry package with a FastAPI app, a caret python constraint, psycopg that loads libpq", []string{"."}},
		{"python-pipenv", "a Pipfile.lock with the hash of a local wheel: builds offline", []string{"."}},
		{"python-requirements", "requirements.txt including a file with a --constraint beside it, local wheels: builds offline", []string{"."}},
	})
}
