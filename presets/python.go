package presets

import (
	"encoding/json"
	"path"
	"strings"

	"github.com/multistage/multistage"
)

// PythonPackageManager installs a Python application's dependencies: [Pip],
// [UV], [Poetry] or [Pipenv].
type PythonPackageManager string

// Package managers for [PythonOptions].PackageManager.
const (
	// Pip installs Requirements (and the project, with Project) with the
	// image's pip.
	Pip PythonPackageManager = "pip"
	// UV installs exactly what uv.lock pins, with uv sync --locked. uv
	// comes from its image, ghcr.io/astral-sh/uv, as uv's documentation
	// recommends: one static binary, no package index needed to get it.
	UV PythonPackageManager = "uv"
	// Poetry installs exactly what poetry.lock pins, with poetry install
	// --only main. Poetry is installed with pip, at
	// PackageManagerVersion, into the builder's own Python, never into
	// the application's environment.
	Poetry PythonPackageManager = "poetry"
	// Pipenv installs exactly what Pipfile.lock pins: its "default"
	// packages, their versions and hashes, with pip --require-hashes
	// --no-deps, as "pipenv requirements --hash" would write them. No
	// pipenv is installed; a lock entry that is not a pinned package of
	// an index (a git or path dependency other than the project itself)
	// fails the build with a message naming it.
	Pipenv PythonPackageManager = "pipenv"
)

// The versions of the package managers the Python preset installs when
// PackageManagerVersion is empty.
const (
	uvVersion     = "0.13.8"
	poetryVersion = "2.5.1"
)

// PythonOptions configures [Python]. The zero value installs
// requirements.txt with pip and runs "python app.py" on python:3.14-slim.
type PythonOptions struct {
	// Version is the Python version of both stages, python:<Version>-slim.
	// It is declared as the build arg PYTHON_VERSION and used by both
	// FROM lines, so the builder and the runtime always match, even with
	// --build-arg PYTHON_VERSION=...: the installed packages live in
	// lib/python<Version>/site-packages and their compiled extensions
	// target that interpreter. The default is "3.14", the newest
	// Python with wheels for the common packages.
	Version string
	// PackageManager installs the dependencies. The default is [Pip].
	// [Detect] chooses it from the lockfile: uv.lock, poetry.lock or
	// Pipfile.lock.
	PackageManager PythonPackageManager
	// PackageManagerVersion is the version of uv or Poetry the builder
	// gets. The default is 0.13.8 for uv and 2.5.1 for Poetry. [Detect]
	// reads Poetry's from the first line of poetry.lock, the version that
	// wrote it.
	PackageManagerVersion string
	// Requirements is the requirements file pip installs, a path in the
	// build context such as "requirements/prod.txt", copied to the same
	// path under /app and installed first so the step is cached until it
	// changes. The default is "requirements.txt", or none when Project is
	// set. Only for [Pip].
	Requirements string
	// InstallFiles are more files the install reads, copied before it,
	// each to its own path in /app (COPY --parents): the requirements
	// files that Requirements includes (-r) and the constraints files it
	// names (-c), relative to the file that names them, as pip reads
	// them. Patterns such as "requirements/*.txt" are allowed. The
	// default is none. [Detect] follows the includes and lists them.
	InstallFiles []string
	// Package is the member of a uv workspace to install, by its project
	// name, when the build context is the workspace's root (where
	// uv.lock is): uv sync --package <Package>, with the other members
	// left out (--no-install-workspace) until the sources are there. List
	// the members' pyproject.toml files in InstallFiles: uv reads them to
	// check the lock. The default is none: the root project. Only for
	// [UV].
	Package string
	// AppDir is the application's directory in the build context, such as
	// "backend" for a workspace member: the working directory of
	// collectstatic and of the runtime, where Cmd runs and WritableDirs
	// are relative to. The default is the root of the context.
	AppDir string
	// Extras are the optional dependency groups of the project to install
	// too: uv sync --extra <name>, poetry install --extras <name>. The
	// default is none. Only for [UV] and [Poetry] (name extras in the
	// requirements file for pip: "app[pgsql]").
	Extras []string
	// Project installs the project itself from its pyproject.toml (or
	// setup.py), after the dependencies and the sources: pip install
	// --no-deps . after pinned Requirements (pip install . without them),
	// uv sync --no-editable, poetry install without --no-root. The
	// default is false. [Detect] sets it for a package: a
	// [build-system] table (and no package-mode = false for Poetry).
	Project bool
	// FindLinks is a directory of the build context holding wheels, copied
	// into the builder as /wheels before the install and passed to pip as
	// --find-links. It is not copied into the runtime image. The default
	// is none. Only for [Pip] and [Pipenv].
	FindLinks string
	// NoIndex installs from FindLinks (and the requirements' own paths)
	// only, without PyPI (pip --no-index), for offline builds. The default
	// is false. Only for [Pip] and [Pipenv].
	NoIndex bool
	// PipArgs are extra arguments of pip install, one per element, such as
	// {"--no-build-isolation"}. The default is none. Only for [Pip] and
	// [Pipenv].
	PipArgs []string
	// BuildPackages are Debian packages installed in the builder before
	// the dependencies, for those that build from source: a compiler
	// ("gcc", "libc6-dev") and the headers of the C libraries they link
	// ("libpq-dev"). The default is none. [Detect] fills them, and
	// RuntimePackages, from a small table (see [Detect]).
	BuildPackages []string
	// RuntimePackages are Debian packages installed in the runtime image:
	// the shared libraries the built packages load ("libpq5"). apt's
	// package lists and downloads stay in cache mounts, out of the image.
	// The default is none.
	RuntimePackages []string
	// DjangoSettings is the Django settings module, such as
	// "mysite.settings", set as DJANGO_SETTINGS_MODULE in both stages. The
	// default is none.
	DjangoSettings string
	// CollectStatic runs Django's "python manage.py collectstatic
	// --noinput" in the builder, after the sources, with DjangoSettings,
	// so the image serves STATIC_ROOT's files (WhiteNoise) without a
	// step at start. Settings that need secrets or a database to load
	// fail it: give them defaults for the build, or leave CollectStatic
	// off. The default is false. [Detect] sets it when the settings set
	// STATIC_ROOT.
	CollectStatic bool
	// Cmd is the command of the image. The default is
	// {"python", "app.py"}. [Detect] reads it from the Procfile's web
	// process, run as Heroku and Cloud Foundry run it,
	// {"/bin/bash", "-c", "exec <command>"}, or writes the gunicorn or
	// uvicorn command of a Django, Flask or FastAPI application.
	Cmd []string
	// Port is the port the application listens on, declared with EXPOSE
	// and set as the environment variable PORT, which gunicorn binds to
	// and Procfile commands read. The default is none.
	Port int
	// User is the user the application runs as. The default is
	// [NonRootUser].
	User string
	// Steps are instructions of the caller's own at named points:
	// BeforeInstall in the builder after the manifests and lockfiles are
	// copied, before the install; BeforeBuild and AfterBuild in the
	// builder around the build (the project install and collectstatic),
	// after the sources are copied into it; Runtime in the runtime stage
	// after the application is copied, as root. With BeforeBuild or
	// AfterBuild, as with Project and CollectStatic, the builder gets the
	// sources and the runtime takes /app from it, so what the steps write
	// there is in the image.
	Steps Steps
	// WritableDirs are directories the application's user must be able to
	// write to, relative to /app or absolute, such as "media" or "data"
	// (uploads, a SQLite file): created in the runtime image, owned by
	// User, and left out of the source copy. The default is none.
	WritableDirs []string
}

// PythonBuild is the build made by [Python], with handles to its stages.
type PythonBuild struct {
	// Build is the whole build; its last stage, Runtime, is the target.
	Build *multistage.Build
	// Builder is the "build" stage: the dependencies installed into the
	// virtual environment /opt/venv.
	Builder *multistage.Stage
	// Runtime is the "runtime" stage: /opt/venv copied from the builder,
	// and the application in /app.
	Runtime *multistage.Stage
}

// venv is the virtual environment the Python preset installs into, in
// both stages.
const venv = "/opt/venv"

// Python returns a build that installs a Python application's packages
// into a virtual environment in a builder and copies it into a clean image
// of the same Python, which runs the application as a non-root user:
//
//	ARG PYTHON_VERSION=3.14
//
//	FROM python:${PYTHON_VERSION}-slim AS build
//	ENV PIP_DISABLE_PIP_VERSION_CHECK=1
//	RUN python -m venv --without-pip /opt/venv
//	ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH
//	WORKDIR /app
//	COPY requirements.txt ./
//	RUN --mount=type=cache,target=/root/.cache/pip pip --python /opt/venv/bin/python install -r requirements.txt
//
//	FROM python:${PYTHON_VERSION}-slim AS runtime
//	ENV PYTHONDONTWRITEBYTECODE=1
//	ENV PYTHONUNBUFFERED=1
//	ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH
//	WORKDIR /app
//	COPY --from=build --link /opt/venv /opt/venv
//	COPY --link --exclude=**/__pycache__ --exclude=.venv . .
//	USER 65532:65532
//	CMD ["python", "app.py"]
//
// The requirements or the lockfile come first, so the install is cached
// until they change, and the package manager's cache is a cache mount.
// The virtual environment has no pip (the builder's pip installs into it
// with --python): the runtime image has no pip, no package manager, no
// cache, no build leftovers and no wheels. Its scripts (gunicorn, the
// project's own) start with /opt/venv/bin/python, which the runtime has at
// the same path.
//
// With uv, the lockfile is installed first and the project after the
// sources, as uv's Docker guide does:
//
//	COPY --from=ghcr.io/astral-sh/uv:0.13.8 /uv /usr/local/bin/uv
//	ENV UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/opt/venv
//	COPY pyproject.toml uv.lock ./
//	RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-dev --no-install-project
//	COPY . .
//	RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-dev --no-editable
func Python(opts PythonOptions) *PythonBuild {
	pm := PythonPackageManager(or(string(opts.PackageManager), string(Pip)))
	req := opts.Requirements
	if req == "" && !opts.Project && pm == Pip {
		req = "requirements.txt"
	}
	pip := "pip --python " + venv + "/bin/python install"
	var pipFlags []string
	if opts.NoIndex {
		pipFlags = append(pipFlags, "--no-index")
	}
	findLinks := ""
	if opts.FindLinks != "" {
		findLinks = "/wheels"
		pipFlags = append(pipFlags, "--find-links="+findLinks)
	}
	pipFlags = append(pipFlags, opts.PipArgs...)
	var extras []string
	for _, e := range opts.Extras {
		if pm == Poetry {
			extras = append(extras, "--extras", e)
		} else {
			extras = append(extras, "--extra", e)
		}
	}
	if opts.Package != "" && pm == UV {
		extras = append([]string{"--package", opts.Package}, extras...)
	}
	appDir := path.Join("/app", strings.TrimPrefix(path.Clean("/"+opts.AppDir), "/"))
	sources := opts.Project || opts.CollectStatic || opts.Steps.BeforeBuild != nil || opts.Steps.AfterBuild != nil

	b := multistage.New()
	b.Arg("PYTHON_VERSION", or(opts.Version, defaultPythonVersion))
	build := b.Stage("build").FromExpand("python:${PYTHON_VERSION}-slim")
	if pm != UV {
		build.Env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
	}
	aptInstall(build, opts.BuildPackages)
	switch pm {
	case UV:
		build.CopyFromImage("ghcr.io/astral-sh/uv:"+or(opts.PackageManagerVersion, uvVersion), "/uv", "/usr/local/bin/uv").
			EnvExpandAll("UV_LINK_MODE", "copy", "UV_PYTHON_DOWNLOADS", "never", "UV_PROJECT_ENVIRONMENT", venv)
	case Poetry:
		build.Run("pip install "+shellQuote("poetry=="+or(opts.PackageManagerVersion, poetryVersion)), PipCache())
	}
	if pm != UV {
		build.Run("python -m venv --without-pip " + venv)
	}
	activate(build)
	build.Workdir("/app")
	if opts.FindLinks != "" {
		build.Copy(opts.FindLinks, findLinks)
	}

	var manifests []string
	switch pm {
	case Pip:
		if req != "" {
			manifests = []string{req}
		}
	case UV:
		manifests = []string{"pyproject.toml", "uv.lock"}
	case Poetry:
		manifests = []string{"pyproject.toml", "poetry.lock"}
	case Pipenv:
		manifests = []string{"Pipfile", "Pipfile.lock"}
	}
	copyAllInPlace(build, append(manifests, opts.InstallFiles...))
	opts.Steps.beforeInstall(build)
	switch pm {
	case Pip:
		if req != "" {
			build.Run(shellJoin(pip, append(append([]string{}, pipFlags...), "-r", req)), PipCache())
		}
	case UV:
		sync := "uv sync --locked --no-dev --no-install-project"
		if opts.Package != "" {
			sync = "uv sync --locked --no-dev --no-install-workspace"
		}
		build.Run(shellJoin(sync, extras), UVCache())
	case Poetry:
		build.Run(shellJoin("poetry install --only main --no-root --no-interaction --no-ansi", extras), PoetryCache())
	case Pipenv:
		build.RunHeredoc(pipfileLockScript(pipFlags), PipCache())
	}

	// What the image never gets from the sources: caches, the wheels,
	// and the directories its user writes to.
	exclude := append([]string{}, pythonJunk...)
	if opts.FindLinks != "" {
		exclude = append(exclude, strings.TrimPrefix(path.Clean(opts.FindLinks), "./"))
	}
	for _, d := range opts.WritableDirs {
		if !path.IsAbs(d) {
			exclude = append(exclude, strings.TrimPrefix(path.Join(strings.TrimPrefix(appDir, "/app"), d), "/"))
		}
	}
	if opts.DjangoSettings != "" {
		build.Env("DJANGO_SETTINGS_MODULE", opts.DjangoSettings)
	}
	if sources {
		build.Copy(".", ".", multistage.Exclude(exclude...))
		opts.Steps.beforeBuild(build)
		if opts.Project {
			switch pm {
			case Pip, Pipenv:
				cmd := pip
				if req != "" || pm == Pipenv {
					cmd += " --no-deps"
				}
				build.Run(shellJoin(cmd, append(append([]string{}, pipFlags...), ".")), PipCache())
			case UV:
				build.Run(shellJoin("uv sync --locked --no-dev --no-editable", extras), UVCache())
			case Poetry:
				build.Run(shellJoin("poetry install --only main --no-interaction --no-ansi", extras), PoetryCache())
			}
		}
		if opts.CollectStatic {
			if appDir != "/app" {
				build.Workdir(appDir)
			}
			build.RunExec([]string{"python", "manage.py", "collectstatic", "--noinput"})
		}
		opts.Steps.afterBuild(build)
	}

	rt := b.Stage("runtime").FromExpand("python:${PYTHON_VERSION}-slim").
		Env("PYTHONDONTWRITEBYTECODE", "1").
		Env("PYTHONUNBUFFERED", "1")
	aptInstall(rt, opts.RuntimePackages)
	activate(rt)
	if opts.DjangoSettings != "" {
		rt.Env("DJANGO_SETTINGS_MODULE", opts.DjangoSettings)
	}
	if p := port(opts.Port, 0); p > 0 {
		rt.Env("PORT", itoa(p))
	}
	rt.Workdir("/app").
		CopyFrom(build, venv, venv, multistage.Link())
	if sources {
		rt.CopyFrom(build, "/app", "/app", multistage.Link())
	} else {
		rt.Copy(".", ".", multistage.Link(), multistage.Exclude(exclude...))
	}
	opts.Steps.runtime(rt)
	if appDir != "/app" {
		rt.Workdir(appDir)
	}
	rt.User(or(opts.User, NonRootUser))
	writableDirs(rt, appDir, opts.WritableDirs)
	expose(rt, port(opts.Port, 0))
	rt.Cmd(orArgs(opts.Cmd, []string{"python", "app.py"})...)
	return &PythonBuild{Build: b, Builder: build, Runtime: rt}
}

// activate puts the virtual environment first on the PATH of a stage, as
// its bin/activate script does.
func activate(s *multistage.Stage) {
	s.EnvExpandAll("VIRTUAL_ENV", venv, "PATH", venv+"/bin:$PATH")
}

// pythonJunk is what a Python build never copies from the context.
var pythonJunk = []string{"**/__pycache__", ".venv"}

// pipfileLockScript is the RUN that installs the "default" packages of
// Pipfile.lock with pip: each one's version, extras, markers and hashes, as
// "pipenv requirements --hash" writes them, with --require-hashes and
// --no-deps, since the lock is complete. The project itself (a path "."
// entry) is installed with the sources, when Project is set.
func pipfileLockScript(pipFlags []string) string {
	args, _ := json.Marshal(append([]string{"--python", venv + "/bin/python", "install", "--require-hashes", "--no-deps"}, pipFlags...))
	return `<<EOF
#!/usr/bin/env python3
import json, subprocess, sys, tempfile
lock = json.load(open("Pipfile.lock"))
lines = []
for name, p in sorted(lock.get("default", {}).items()):
    if p.get("path") == "." or p.get("file") == ".":
        continue
    if "version" not in p:
        sys.exit("Pipfile.lock: %s is not a pinned package of an index (git, path or file): install it with pipenv in Steps.BeforeInstall" % name)
    extras = "[%s]" % ",".join(p["extras"]) if p.get("extras") else ""
    markers = " ; " + p["markers"] if p.get("markers") else ""
    hashes = "".join(" --hash=" + h for h in p.get("hashes", []))
    lines.append(name + extras + p["version"] + markers + hashes)
with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
    f.write("\n".join(lines) + "\n")
    f.flush()
    sys.exit(subprocess.call(["pip"] + ` + string(args) + ` + ["-r", f.name]))
EOF`
}

// copyAllInPlace copies files, each to its own path under the working
// directory, in one instruction: COPY a b ./ for names at the root, COPY
// --parents when one is in a directory, so that "requirements/base.txt"
// does not land in the root.
func copyAllInPlace(s *multistage.Stage, files []string) {
	var clean []string
	nested := false
	for _, f := range files {
		f = strings.TrimPrefix(path.Clean(f), "./")
		if f == "." || f == "" {
			continue
		}
		clean = append(clean, f)
		nested = nested || strings.Contains(f, "/")
	}
	switch {
	case len(clean) == 0:
	case len(clean) == 1:
		copyInPlace(s, clean[0])
	case nested:
		s.Copy(clean[0], "./", multistage.Parents(), multistage.MoreSources(clean[1:]...))
	default:
		s.Copy(clean[0], "./", multistage.MoreSources(clean[1:]...))
	}
}

// aptInstall installs Debian packages in a stage, with apt's package lists
// and downloads in cache mounts, so that neither is left in the image:
//
//	RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
//	    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
//	    apt-get update && apt-get install -y --no-install-recommends libpq5
func aptInstall(s *multistage.Stage, pkgs []string) {
	if len(pkgs) == 0 {
		return
	}
	s.Run(shellJoin("apt-get update && apt-get install -y --no-install-recommends", pkgs),
		multistage.CacheMount("/var/cache/apt", multistage.Sharing("locked")),
		multistage.CacheMount("/var/lib/apt/lists", multistage.Sharing("locked")))
}

// PipCache is a cache mount on pip's cache of the root user,
// /root/.cache/pip, which keeps downloaded and locally built wheels
// between builds.
func PipCache() multistage.RunOption {
	return multistage.CacheMount("/root/.cache/pip")
}

// UVCache is a cache mount on uv's cache of the root user, /root/.cache/uv.
// The Python preset sets UV_LINK_MODE=copy, since the cache mount is
// another file system than the environment it installs into.
func UVCache() multistage.RunOption {
	return multistage.CacheMount("/root/.cache/uv")
}

// PoetryCache is a cache mount on Poetry's cache of the root user,
// /root/.cache/pypoetry, which keeps the packages it downloads.
func PoetryCache() multistage.RunOption {
	return multistage.CacheMount("/root/.cache/pypoetry")
}
