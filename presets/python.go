package presets

import (
	"github.com/multistage/multistage"
)

// PythonOptions configures [Python]. The zero value installs
// requirements.txt and runs "python app.py" on python:3.10-slim.
type PythonOptions struct {
	// Version is the Python version of both stages, python:<Version>-slim.
	// It is declared as the build arg PYTHON_VERSION and used by both
	// FROM lines, so the builder and the runtime always match, even with
	// --build-arg PYTHON_VERSION=...: the installed packages live in
	// lib/python<Version>/site-packages and their compiled extensions
	// target that interpreter. The default is "3.10".
	Version string
	// Requirements is the requirements file, a path in the build context
	// such as "requirements/prod.txt", copied to the same path under /app
	// and installed first so the step is cached until it changes. The
	// default is "requirements.txt", or none when Project is set.
	Requirements string
	// Project installs the project itself from its pyproject.toml (pip
	// install .), after the requirements. With Requirements too, the
	// requirements are taken as the complete, pinned dependency set and
	// the project is installed with --no-deps. The default is false.
	Project bool
	// FindLinks is a directory of the build context holding wheels, copied
	// into the builder before the install and passed to pip as
	// --find-links. It is not copied into the runtime image. The default
	// is none.
	FindLinks string
	// NoIndex installs from FindLinks (and the requirements' own paths)
	// only, without PyPI (pip --no-index), for offline builds. The default
	// is false.
	NoIndex bool
	// PipArgs are extra arguments of pip install, one per element, such as
	// {"--no-build-isolation"}. The default is none.
	PipArgs []string
	// Cmd is the command of the image. The default is
	// {"python", "app.py"}.
	Cmd []string
	// Port is the port the application listens on, declared with EXPOSE.
	// The default is none.
	Port int
	// User is the user the application runs as. The default is
	// [NonRootUser].
	User string
}

// PythonBuild is the build made by [Python], with handles to its stages.
type PythonBuild struct {
	// Build is the whole build; its last stage, Runtime, is the target.
	Build *multistage.Build
	// Builder is the "build" stage: the packages installed under the
	// prefix /install.
	Builder *multistage.Stage
	// Runtime is the "runtime" stage: /install copied to /usr/local, and
	// the application in /app.
	Runtime *multistage.Stage
}

// Python returns a build that installs a Python application's packages in
// a builder and copies them into a clean image of the same Python, which
// runs the application as a non-root user:
//
//	ARG PYTHON_VERSION=3.10
//
//	FROM python:${PYTHON_VERSION}-slim AS build
//	ENV PIP_DISABLE_PIP_VERSION_CHECK=1
//	WORKDIR /app
//	COPY requirements.txt ./
//	RUN --mount=type=cache,target=/root/.cache/pip pip install --prefix=/install --no-warn-script-location -r requirements.txt
//
//	FROM python:${PYTHON_VERSION}-slim AS runtime
//	ENV PYTHONDONTWRITEBYTECODE=1
//	ENV PYTHONUNBUFFERED=1
//	WORKDIR /app
//	COPY --from=build --link /install /usr/local
//	COPY --link --exclude=**/__pycache__ --exclude=.venv . .
//	USER 65532:65532
//	CMD ["python", "app.py"]
//
// The requirements come first, so the install is cached until they
// change, and pip's cache is a cache mount. The runtime image has no pip
// cache, no build leftovers and no wheels.
func Python(opts PythonOptions) *PythonBuild {
	req := opts.Requirements
	if req == "" && !opts.Project {
		req = "requirements.txt"
	}
	pip := "pip install --prefix=/install --no-warn-script-location"
	if opts.NoIndex {
		pip += " --no-index"
	}
	if opts.FindLinks != "" {
		pip += " --find-links=" + shellQuote(opts.FindLinks)
	}

	b := multistage.New()
	b.Arg("PYTHON_VERSION", or(opts.Version, "3.10"))
	build := b.Stage("build").FromExpand("python:${PYTHON_VERSION}-slim").
		Env("PIP_DISABLE_PIP_VERSION_CHECK", "1").
		Workdir("/app")
	if opts.FindLinks != "" {
		build.Copy(opts.FindLinks, "./"+opts.FindLinks)
	}
	if req != "" {
		copyFileInPlace(build, req)
		build.Run(shellJoin(pip, append([]string{"-r", req}, opts.PipArgs...)), PipCache())
	}
	if opts.Project {
		cmd := pip
		if req != "" {
			cmd += " --no-deps"
		}
		build.Copy(".", ".", multistage.Exclude(pythonJunk...)).
			Run(shellJoin(cmd, append(append([]string{}, opts.PipArgs...), ".")), PipCache())
	}

	exclude := append([]string{}, pythonJunk...)
	if opts.FindLinks != "" {
		exclude = append(exclude, opts.FindLinks)
	}
	rt := b.Stage("runtime").FromExpand("python:${PYTHON_VERSION}-slim").
		Env("PYTHONDONTWRITEBYTECODE", "1").
		Env("PYTHONUNBUFFERED", "1").
		Workdir("/app").
		CopyFrom(build, "/install", "/usr/local", multistage.Link()).
		Copy(".", ".", multistage.Link(), multistage.Exclude(exclude...)).
		User(or(opts.User, NonRootUser))
	expose(rt, port(opts.Port, 0))
	rt.Cmd(orArgs(opts.Cmd, []string{"python", "app.py"})...)
	return &PythonBuild{Build: b, Builder: build, Runtime: rt}
}

// pythonJunk is what a Python build never copies from the context.
var pythonJunk = []string{"**/__pycache__", ".venv"}

// PipCache is a cache mount on pip's cache of the root user,
// /root/.cache/pip, which keeps downloaded and locally built wheels
// between builds.
func PipCache() multistage.RunOption {
	return multistage.CacheMount("/root/.cache/pip")
}
