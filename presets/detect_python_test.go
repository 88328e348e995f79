package presets_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/multistage/multistage/presets"
)

// TestProjectsPython runs Detect on the Python fixture applications.
func TestProjectsPython(t *testing.T) {
	checkProjects(t, []projectCase{
		{"django-nested", "a Django site whose requirements.txt includes requirements/production.txt, which includes base.txt and a constraints file; psycopg2 from source; STATIC_ROOT and MEDIA_ROOT", []string{"."}},
		{"fastapi-uv", "a FastAPI package locked with uv, its app object in app/main.py, a requires-python range", []string{"."}},
		{"flask-procfile", "a Flask application factory started by a Procfile web process that binds $PORT, .flaskenv and .env", []string{"."}},
		{"uv-workspace", "a uv workspace: a FastAPI service and a library as members, uv.lock at the root; detected from the service, built from the root", []string{"services/api"}},
		{"poetry-app", "a Poetry package with a FastAPI app, a caret python constraint, psycopg that loads libpq", []string{"."}},
		{"python-pipenv", "a Pipfile.lock with the hash of a local wheel: builds offline", []string{"."}},
		{"python-requirements", "requirements.txt including a file with a --constraint beside it, local wheels: builds offline", []string{"."}},
	})
}

// TestDetectPython checks the Python rules one by one on small trees.
func TestDetectPython(t *testing.T) {
	tests := []struct {
		name, reason string
		files        map[string]string
		want         presets.PythonOptions
		wantReason   []string
	}{{
		name:   "includes-forms",
		reason: "every spelling of -r and -c, nested, relative to the including file; a missing include is reported; names in includes count as dependencies (gunicorn)",
		files: map[string]string{
			"requirements.txt":            "--requirement=reqs/prod.txt\n-c constraints.txt  # pins\n",
			"reqs/prod.txt":               "--requirement base.txt\n-r ../extra.txt\n-r missing.txt\n",
			"reqs/base.txt":               "flask>=3 \\\n    --hash=sha256:00\ngunicorn[gevent]==23.0.0\n",
			"extra.txt":                   "requests\n",
			"constraints.txt":             "werkzeug==3.1.3\n",
			"app.py":                      "from flask import Flask\napp = Flask(__name__)\n",
			"requirements/production.txt": "ignored: requirements.txt comes first\n",
		},
		want: presets.PythonOptions{InstallFiles: []string{"reqs/prod.txt", "reqs/base.txt", "extra.txt", "reqs/missing.txt", "constraints.txt"},
			Cmd: []string{"gunicorn", "--bind", "0.0.0.0:8000", "app:app"}, Port: 8000},
		wantReason: []string{"reqs/missing.txt is not there", "app:app under gunicorn"},
	}, {
		name:   "requirements-production",
		reason: "no requirements.txt: requirements/production.txt, said so; a FastAPI app in a src layout without uvicorn",
		files: map[string]string{
			"requirements/production.txt": "-r base.txt\n",
			"requirements/base.txt":       "fastapi==0.121.0\n",
			"src/notes/main.py":           "from fastapi import FastAPI\n\napi = FastAPI()\n",
		},
		want: presets.PythonOptions{Requirements: "requirements/production.txt", InstallFiles: []string{"requirements/base.txt"},
			Cmd: []string{"uvicorn", "notes.main:api", "--host", "0.0.0.0", "--port", "8000", "--app-dir", "src"}, Port: 8000},
		wantReason: []string{"no requirements.txt at the root", "uvicorn is not among the dependencies"},
	}, {
		name:   "django-asgi-uvicorn",
		reason: "a Django project with uvicorn and no gunicorn runs its ASGI application; manage.py's settings when there is no wsgi.py setdefault",
		files: map[string]string{
			"requirements.txt":     "Django==5.2\nuvicorn==0.34\npsycopg2-binary==2.9\nmysqlclient==2.2\n",
			"manage.py":            `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_cfg.settings")`,
			"site_cfg/settings.py": "WSGI_APPLICATION = 'site_cfg.wsgi.application'\nASGI_APPLICATION = 'site_cfg.asgi.application'\nMEDIA_ROOT = os.path.join(BASE_DIR, 'uploads')\n",
			".env":                 "PORT=9000\n",
		},
		want: presets.PythonOptions{DjangoSettings: "site_cfg.settings", Cmd: []string{"uvicorn", "site_cfg.asgi:application", "--host", "0.0.0.0", "--port", "9000"}, Port: 9000,
			WritableDirs: []string{"uploads"}, BuildPackages: []string{"gcc", "libc6-dev", "pkg-config", "default-libmysqlclient-dev"}, RuntimePackages: []string{"libmariadb3"}},
		wantReason: []string{"ASGI application site_cfg.asgi.application under uvicorn", "PORT in .env", "mysqlclient"},
	}, {
		name:   "django-no-server",
		reason: "Django never runs runserver: gunicorn even when it is missing, and the reason says to add it",
		files: map[string]string{
			"requirements.txt": "django\n",
			"manage.py":        `os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')`,
			"proj/settings.py": "DEBUG = True\n",
			"proj/wsgi.py":     "application = None\n",
		},
		want:       presets.PythonOptions{DjangoSettings: "proj.settings", Cmd: []string{"gunicorn", "--bind", "0.0.0.0:8000", "proj.wsgi:application"}, Port: 8000},
		wantReason: []string{"gunicorn is not among the dependencies: add it"},
	}, {
		name:   "flask-flaskenv-module",
		reason: "FLASK_APP naming a module file; the app object found in it",
		files: map[string]string{
			"requirements.txt": "Flask\ngunicorn\n",
			".flaskenv":        "export FLASK_APP=blog.py\n",
			"blog.py":          "from flask import Flask\nweb_app = Flask(__name__)\n",
		},
		want: presets.PythonOptions{Cmd: []string{"gunicorn", "--bind", "0.0.0.0:8000", "blog:web_app"}, Port: 8000},
	}, {
		name:   "procfile-literal-port",
		reason: "a Procfile with plain words runs through bash as on the platforms, the server exec'd, its --bind port read",
		files: map[string]string{
			"requirements.txt": "gunicorn\nflask\n",
			"Procfile":         "web: gunicorn --bind 0.0.0.0:7000 app:app\n",
		},
		want: presets.PythonOptions{Cmd: []string{"/bin/bash", "-c", "exec gunicorn --bind 0.0.0.0:7000 app:app"}, Port: 7000},
	}, {
		name:   "pipfile-project-version",
		reason: "Pipfile.lock with the project itself as a path entry installs it; Pipfile's python_version; psycopg[c] builds against libpq",
		files: map[string]string{
			"Pipfile":      "[packages]\nmyapp = {path = \".\", editable = true}\npsycopg = {extras = [\"c\"], version = \"*\"}\n\n[requires]\npython_version = \"3.11\"\n",
			"Pipfile.lock": "{}",
			"main.py":      "",
		},
		want: presets.PythonOptions{PackageManager: presets.Pipenv, Project: true, Version: "3.11", Cmd: []string{"python", "main.py"},
			BuildPackages: []string{"gcc", "libc6-dev", "libpq-dev"}, RuntimePackages: []string{"libpq5"}},
	}, {
		name:   "uv-not-a-package",
		reason: "uv.lock without [build-system]: the project is not installed; requires-python capped below 3.13; a requirements.txt beside the lockfile is not used",
		files: map[string]string{
			"pyproject.toml":   "[project]\nname = \"tool\"\nrequires-python = \">=3.10,<3.13\"\ndependencies = [\"click\"]\n\n[project.scripts]\ntool = \"tool:main\"\n",
			"uv.lock":          "version = 1\n",
			"requirements.txt": "click\n",
			"main.py":          "",
		},
		want:       presets.PythonOptions{PackageManager: presets.UV, Version: "3.12", Cmd: []string{"python", "main.py"}},
		wantReason: []string{"requirements.txt not used", `newest that requires-python ">=3.10,<3.13" allows`},
	}, {
		name:   "poetry-package-mode-false",
		reason: "Poetry's package-mode = false: dependencies only",
		files: map[string]string{
			"pyproject.toml": "[tool.poetry]\npackage-mode = false\n\n[tool.poetry.dependencies]\npython = \"~3.11\"\n\n[build-system]\nrequires = [\"poetry-core\"]\n",
			"poetry.lock":    "# This file is automatically @generated by Poetry 2.1.1 and should not be changed by hand.\n",
		},
		want:       presets.PythonOptions{PackageManager: presets.Poetry, PackageManagerVersion: "2.1.1", Version: "3.11"},
		wantReason: []string{"set Cmd"},
	}, {
		name:   "poetry-lock-wheels",
		reason: "a caret range and a poetry.lock whose fastpg has Linux wheels for cp39 and cp310 only (cp311 for Windows): Python 3.10, not the default; the pure and the abi3 packages and a dev-only cp39 package do not limit it",
		files: map[string]string{
			"pyproject.toml": "[tool.poetry.dependencies]\npython = \"^3.9\"\npurelib = \"^1.0\"\nfastpg = \"^0.9\"\n\n[tool.poetry.group.dev.dependencies]\ndevtool = \"*\"\n",
			"poetry.lock":    testPoetryLock,
		},
		want:       presets.PythonOptions{PackageManager: presets.Poetry, PackageManagerVersion: "1.8.3", Version: "3.10"},
		wantReason: []string{`Python 3.10, the newest that fastpg 0.9.0 in poetry.lock has wheels for (Poetry's python "^3.9" allows 3.14)`},
	}, {
		name:   "poetry-lock-wheels-pinned",
		reason: ".python-version wins over the lockfile's wheels",
		files: map[string]string{
			".python-version": "3.13\n",
			"pyproject.toml":  "[tool.poetry.dependencies]\npython = \"^3.9\"\npurelib = \"^1.0\"\nfastpg = \"^0.9\"\n",
			"poetry.lock":     testPoetryLock,
		},
		want:       presets.PythonOptions{PackageManager: presets.Poetry, PackageManagerVersion: "1.8.3", Version: "3.13"},
		wantReason: []string{"Python 3.13 (.python-version)"},
	}, {
		name:   "poetry-lock-wheels-none-fits",
		reason: "no Python of the range has wheels of every package (devtool's stop at cp39, the range starts at 3.10): the newest the range allows, as without the lock",
		files: map[string]string{
			"pyproject.toml": "[tool.poetry.dependencies]\npython = \">=3.10,<3.14\"\nfastpg = \"^0.9\"\ndevtool = \"*\"\n",
			"poetry.lock":    testPoetryLock,
		},
		want:       presets.PythonOptions{PackageManager: presets.Poetry, PackageManagerVersion: "1.8.3", Version: "3.13"},
		wantReason: []string{`Python 3.13, the newest that Poetry's python ">=3.10,<3.14" allows`},
	}, {
		name:   "poetry-1.1-lock-wheels",
		reason: "Poetry 1.1's lock lists the files in [metadata.files]; with no dependency found in pyproject.toml, every package but the dev ones counts",
		files: map[string]string{
			"pyproject.toml": "[tool.poetry.dependencies]\npython = \">=3.9\"\n",
			"poetry.lock": `[[package]]
name = "FastPG"
version = "0.9.0"
category = "main"
optional = false
python-versions = ">=3.9"

[[package]]
name = "devtool"
version = "1.0.0"
category = "dev"
optional = false
python-versions = "*"

[metadata]
lock-version = "1.1"

[metadata.files]
FastPG = [
    {file = "FastPG-0.9.0-cp39-cp39-manylinux_2_17_x86_64.whl", hash = "sha256:01"},
    {file = "FastPG-0.9.0-cp310-cp310-manylinux_2_17_x86_64.whl", hash = "sha256:02"},
    {file = "FastPG-0.9.0-cp311-cp311-manylinux_2_17_x86_64.whl", hash = "sha256:03"},
]
devtool = [
    {file = "devtool-1.0.0-cp39-cp39-manylinux_2_17_x86_64.whl", hash = "sha256:04"},
]
`,
		},
		want:       presets.PythonOptions{PackageManager: presets.Poetry, Version: "3.11"},
		wantReason: []string{`Python 3.11, the newest that FastPG 0.9.0 in poetry.lock has wheels for (Poetry's python ">=3.9" allows 3.14)`},
	}, {
		name:   "uv-lock-wheels",
		reason: "a uv.lock whose fastpg has wheels up to cp312, reached through a dependency; an abi3 wheel for cp37 covers every later CPython; a backport for old Pythons only (a marker) does not limit it",
		files: map[string]string{
			"pyproject.toml": "[project]\nname = \"svc\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = [\"client\", \"stablecrypt\"]\n",
			"uv.lock":        testUVLock,
		},
		want:       presets.PythonOptions{PackageManager: presets.UV, Version: "3.12"},
		wantReason: []string{`Python 3.12, the newest that fastpg 0.9.0 in uv.lock has wheels for (requires-python ">=3.11" allows 3.14)`},
	}, {
		name:   "flask-manage-py-not-django",
		reason: "a Flask project's manage.py (Flask-Script, the Flask CLI) is no Django project; wsgi.py's app made by the imported factory",
		files: map[string]string{
			"requirements.txt":  "Flask==2.1.3\nFlask-Script\ngunicorn\n",
			"manage.py":         "from flask.cli import FlaskGroup\nfrom ctf import create_app\napp = create_app()\ncli = FlaskGroup(app)\n",
			"wsgi.py":           "from ctf import create_app\n\napp = create_app()\n",
			"ctf/__init__.py":   "def create_app(config='ctf.config.Config'):\n    pass\n",
			"ctf/config.py":     "class Config: pass\n",
			"ctf/templates/x.j": "",
		},
		want: presets.PythonOptions{Cmd: []string{"gunicorn", "--bind", "0.0.0.0:8000", "wsgi:app"}, Port: 8000},
	}, {
		name:   "django-in-src",
		reason: "manage.py in src/ (no Procfile): the Django project's directory is AppDir, the settings package read there, production settings named",
		files: map[string]string{
			"requirements.txt":                    "django\ngunicorn\n",
			"src/manage.py":                       "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_cfg.settings.base')\n",
			"src/site_cfg/settings/base.py":       "STATIC_ROOT = BASE_DIR / 'static'\nMEDIA_ROOT = BASE_DIR / 'media'\n",
			"src/site_cfg/settings/production.py": "from .base import *\n",
			"src/site_cfg/wsgi.py":                "application = None\n",
			"docs/manage.py":                      "print('not django')\n",
		},
		want: presets.PythonOptions{AppDir: "src", DjangoSettings: "site_cfg.settings.base", CollectStatic: true, WritableDirs: []string{"media"},
			Cmd: []string{"gunicorn", "--bind", "0.0.0.0:8000", "site_cfg.wsgi:application"}, Port: 8000},
		wantReason: []string{"manage.py in src/", "site_cfg.settings.production is there too", "MEDIA_ROOT src/media/"},
	}, {
		name:   "django-nested-procfile",
		reason: "manage.py in a subdirectory and a Procfile that runs from the root: the image runs at the root, WritableDirs under the subdirectory, collectstatic left to the caller",
		files: map[string]string{
			"requirements.txt":            "django\ngunicorn\n",
			"Procfile":                    "web: cd tracker && gunicorn tracker.wsgi\n",
			"tracker/manage.py":           "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"tracker.settings\")\n",
			"tracker/tracker/settings.py": "MEDIA_ROOT = os.path.join(BASE_DIR, 'uploads')\nSTATIC_ROOT = 'static'\n",
			"tracker/tracker/wsgi.py":     "",
		},
		want: presets.PythonOptions{DjangoSettings: "tracker.settings", WritableDirs: []string{"tracker/uploads"},
			Cmd: []string{"/bin/bash", "-c", "cd tracker && exec gunicorn tracker.wsgi"}, Port: 8000},
		wantReason: []string{"collectstatic not run: manage.py is in tracker/"},
	}, {
		name:   "django-asgi-package",
		reason: "the ASGI module is a package (asgi/__init__.py) that sets the settings; annotated STATIC_ROOT; urls.py naming STATIC_ROOT is not a setting",
		files: map[string]string{
			"pyproject.toml":        "[project]\nname = \"shop\"\nrequires-python = \">=3.12,<3.13\"\ndependencies = [\"django\", \"uvicorn\"]\n",
			"uv.lock":               "version = 1\n",
			"manage.py":             "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
			"shop/settings.py":      "STATIC_ROOT: str = os.path.join(PROJECT_ROOT, 'static')\n",
			"shop/asgi/__init__.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\napplication = None\n",
		},
		want: presets.PythonOptions{PackageManager: presets.UV, Version: "3.12", DjangoSettings: "shop.settings", CollectStatic: true,
			Cmd: []string{"uvicorn", "shop.asgi:application", "--host", "0.0.0.0", "--port", "8000"}, Port: 8000},
		wantReason: []string{"(shop/asgi/__init__.py)"},
	}, {
		name:   "django-urls-not-settings",
		reason: "mysite/urls.py naming settings.STATIC_ROOT does not make the project collect static files",
		files: map[string]string{
			"requirements.txt":   "django\ngunicorn\n",
			"manage.py":          "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n",
			"mysite/settings.py": "DEBUG = True\n",
			"mysite/urls.py":     "STATIC_ROOT = settings.STATIC_ROOT\n",
			"mysite/wsgi.py":     "",
		},
		want: presets.PythonOptions{DjangoSettings: "mysite.settings", Cmd: []string{"gunicorn", "--bind", "0.0.0.0:8000", "mysite.wsgi:application"}, Port: 8000},
	}, {
		name:   "fastapi-application-factory-call",
		reason: "app/main.py makes its app with a function of its own, `app = get_application()`",
		files: map[string]string{
			"requirements.txt": "fastapi\nuvicorn\n",
			"app/__init__.py":  "",
			"app/main.py":      "from fastapi import FastAPI\n\ndef get_application() -> FastAPI:\n    application = FastAPI()\n    return application\n\napp = get_application()\n",
		},
		want: presets.PythonOptions{Cmd: []string{"uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"}, Port: 8000},
	}, {
		name:   "fastapi-factory",
		reason: "only a factory, `def create_app() -> FastAPI`: uvicorn --factory",
		files: map[string]string{
			"requirements.txt":   "fastapi[standard]\n",
			"wallet/__init__.py": "",
			"wallet/app.py":      "from fastapi import FastAPI\n\ndef create_app() -> FastAPI:\n    app = FastAPI()\n    return app\n",
			"typer_cli/main.py":  "import typer\napp = typer.Typer()\n",
		},
		want:       presets.PythonOptions{Cmd: []string{"uvicorn", "wallet.app:create_app", "--host", "0.0.0.0", "--port", "8000", "--factory"}, Port: 8000},
		wantReason: []string{"wallet.app:create_app() makes under uvicorn --factory"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := presets.Detect(writeTree(t, tt.files))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Python == nil {
				t.Fatalf("Detect = %+v, want one Python detection", got)
			}
			if d := cmp.Diff(tt.want, *got[0].Python, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("%s\nPythonOptions (-want +got):\n%s", tt.reason, d)
			}
			for _, w := range tt.wantReason {
				if !strings.Contains(got[0].Reason, w) {
					t.Errorf("reason %q does not say %q", got[0].Reason, w)
				}
			}
		})
	}
}

// TestProcfileCommands checks how Procfile web commands become the image's
// command: run with bash -c, as Heroku and Cloud Foundry run them, with the
// server exec'd so that it gets the container's signals.
func TestProcfileCommands(t *testing.T) {
	for procfile, want := range map[string][]string{
		"web: uvicorn main:app --host 0.0.0.0 --port $PORT": {"/bin/bash", "-c", "exec uvicorn main:app --host 0.0.0.0 --port $PORT"},
		"web: python manage.py migrate && gunicorn a.wsgi":  {"/bin/bash", "-c", "python manage.py migrate && exec gunicorn a.wsgi"},
		"web: bin/start | tee log":                          {"/bin/bash", "-c", "bin/start | tee log"},
		"web: exec gunicorn 'app:create()'":                 {"/bin/bash", "-c", "exec gunicorn 'app:create()'"},
		"web: waitress-serve --port=8080 app:app":           {"/bin/bash", "-c", "exec waitress-serve --port=8080 app:app"},
		"web: bin/run.sh":                                   {"/bin/bash", "-c", "exec bin/run.sh"},
	} {
		got, err := presets.Detect(writeTree(t, map[string]string{"requirements.txt": "x\n", "Procfile": "release: true\n" + procfile + "\n"}))
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got[0].Python.Cmd); d != "" {
			t.Errorf("%s: Cmd (-want +got):\n%s", procfile, d)
		}
	}
}

// TestNewestPython checks the version ranges Detect reads.
func TestNewestPython(t *testing.T) {
	for spec, want := range map[string]string{
		">=3.9":                 "3.14",
		">=3.10,<3.13":          "3.12",
		"~=3.11":                "3.14",
		"~=3.11.2":              "3.11",
		"==3.12.*":              "3.12",
		"^3.10":                 "3.14",
		"~3.11":                 "3.11",
		">=3.8,!=3.14.*":        "3.13",
		"<3.10 || >=3.12,<3.13": "3.12",
		">3.11.4,<3.12":         "3.11",
		">=3.15":                "",
		"bogus":                 "",
	} {
		got := presets.NewestPythonForTest(spec)
		if got != want {
			t.Errorf("newestPython(%q) = %q, want %q", spec, got, want)
		}
	}
}

// testPoetryLock is a poetry.lock of a pure package, one with CPython
// wheels for Linux up to cp310, one with an abi3 wheel, and a
// development tool whose wheels stop at cp39.
const testPoetryLock = `# This file is automatically @generated by Poetry 1.8.3 and should not be changed by hand.

[[package]]
name = "purelib"
version = "1.0.0"
description = ""
optional = false
python-versions = ">=3.7"
files = [
    {file = "purelib-1.0.0-py3-none-any.whl", hash = "sha256:01"},
    {file = "purelib-1.0.0.tar.gz", hash = "sha256:02"},
]

[package.dependencies]
stablecrypt = ">=2"

[[package]]
name = "fastpg"
version = "0.9.0"
description = ""
optional = false
python-versions = ">=3.9"
files = [
    {file = "fastpg-0.9.0-cp39-cp39-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", hash = "sha256:03"},
    {file = "fastpg-0.9.0-cp310-cp310-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", hash = "sha256:04"},
    {file = "fastpg-0.9.0-cp310-cp310-musllinux_1_1_x86_64.whl", hash = "sha256:05"},
    {file = "fastpg-0.9.0-cp311-cp311-win_amd64.whl", hash = "sha256:06"},
    {file = "fastpg-0.9.0.tar.gz", hash = "sha256:07"},
]

[[package]]
name = "stablecrypt"
version = "2.0.0"
description = ""
optional = false
python-versions = ">=3.7"
files = [
    {file = "stablecrypt-2.0.0-cp37-abi3-manylinux_2_28_x86_64.whl", hash = "sha256:08"},
    {file = "stablecrypt-2.0.0.tar.gz", hash = "sha256:09"},
]

[[package]]
name = "devtool"
version = "1.0.0"
description = ""
optional = false
python-versions = ">=3.8"
files = [
    {file = "devtool-1.0.0-cp38-cp38-manylinux_2_17_x86_64.whl", hash = "sha256:10"},
    {file = "devtool-1.0.0-cp39-cp39-manylinux_2_17_x86_64.whl", hash = "sha256:11"},
]

[metadata]
lock-version = "2.0"
python-versions = "^3.9"
content-hash = "00"
`

// testUVLock is a uv.lock whose project needs client (pure), which needs
// fastpg (CPython wheels up to cp312) and, before Python 3.11, a
// backport (cp310 only); stablecrypt has an abi3 wheel.
const testUVLock = `version = 1
requires-python = ">=3.11"

[[package]]
name = "svc"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "client" },
    { name = "stablecrypt" },
]

[[package]]
name = "client"
version = "3.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "fastpg" },
    { name = "backport", marker = "python_full_version < '3.11'" },
]
wheels = [
    { url = "https://files.example/client-3.0.0-py3-none-any.whl", hash = "sha256:01", size = 1 },
]

[[package]]
name = "fastpg"
version = "0.9.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.example/fastpg-0.9.0.tar.gz", hash = "sha256:02", size = 1 }
wheels = [
    { url = "https://files.example/fastpg-0.9.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", hash = "sha256:03", size = 1 },
    { url = "https://files.example/fastpg-0.9.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", hash = "sha256:04", size = 1 },
]

[[package]]
name = "backport"
version = "1.0.0"
source = { registry = "https://pypi.org/simple" }
wheels = [
    { url = "https://files.example/backport-1.0.0-cp310-cp310-manylinux_2_17_x86_64.whl", hash = "sha256:05", size = 1 },
]

[[package]]
name = "stablecrypt"
version = "2.0.0"
source = { registry = "https://pypi.org/simple" }
wheels = [
    { url = "https://files.example/stablecrypt-2.0.0-cp37-abi3-manylinux_2_28_x86_64.whl", hash = "sha256:06", size = 1 },
]
`
