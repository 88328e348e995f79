package presets

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/multistage/multistage"
)

// Names of the presets, as [Detection].Preset reports them.
const (
	PresetDotNet     = "dotnet"
	PresetGo         = "go"
	PresetNodeStatic = "node-static"
	PresetNodeServer = "node-server"
	PresetMaven      = "maven"
	PresetPython     = "python"
)

// Detection is a preset that fits a project directory, with the options
// [Detect] read from the project. Exactly one of the option fields is set,
// the one of Preset; the caller may change it before calling
// [Detection.Build].
type Detection struct {
	// Preset is the name of the preset: PresetGo, PresetDotNet, ...
	Preset string
	// Reason says what Detect read (which files, which fields), what it
	// assumed where the project says nothing, and which option to set
	// where it had to guess.
	Reason string
	// Context is the directory to build from: the directory given to
	// Detect, or, for a member of a workspace or a multi-module project
	// (an npm, Yarn or pnpm workspace, a Maven reactor, a .NET solution, a
	// Go workspace), the root that holds the lockfile or the parent
	// manifest, in the same form as the directory given to Detect
	// ("apps/web" gives "."). The options then name the member relative
	// to Context.
	Context string

	// DotNet holds the options of a PresetDotNet detection.
	DotNet *DotNetOptions `json:",omitempty"`
	// Go holds the options of a PresetGo detection.
	Go *GoOptions `json:",omitempty"`
	// NodeStatic holds the options of a PresetNodeStatic detection.
	NodeStatic *NodeStaticOptions `json:",omitempty"`
	// NodeServer holds the options of a PresetNodeServer detection.
	NodeServer *NodeServerOptions `json:",omitempty"`
	// Maven holds the options of a PresetMaven detection.
	Maven *MavenOptions `json:",omitempty"`
	// Python holds the options of a PresetPython detection.
	Python *PythonOptions `json:",omitempty"`
}

// Build returns the build of the detected preset with its options. For a
// Detection that names no preset it returns an empty build, which
// [multistage.Build.Dockerfile] reports with [multistage.ErrNoStages].
func (d Detection) Build() *multistage.Build {
	switch {
	case d.DotNet != nil:
		return DotNet(*d.DotNet).Build
	case d.Go != nil:
		return Go(*d.Go).Build
	case d.NodeStatic != nil:
		return NodeStatic(*d.NodeStatic).Build
	case d.NodeServer != nil:
		return NodeServer(*d.NodeServer).Build
	case d.Maven != nil:
		return Maven(*d.Maven).Build
	case d.Python != nil:
		return Python(*d.Python).Build
	}
	return multistage.New()
}

// Detect looks at the project in dir and returns the presets that fit it,
// most specific first, each with the reason and the options read from the
// project:
//
//   - go.mod or go.work: [Go], one detection per main package (the
//     root, a command named like the module or a server, cmd/*, then the
//     others), with the Go version, the binary name, vendored
//     dependencies, cgo when the packages the command is built from
//     import "C" or a cgo module (github.com/mattn/go-sqlite3, not
//     modernc.org/sqlite), a UI that go:embed reads and a Node.js project
//     builds, the port of a listen call, an Addr field or a flag default,
//     and version/commit/date variables of package main as -X build args.
//     In a go.work workspace, the members with main packages; on a
//     member, or a module with local replace directives, the workspace
//     (or their parent) as Context;
//   - *.csproj, *.fsproj, *.vbproj or a solution (.sln, .slnx): [DotNet],
//     one detection per runnable project the solution lists (web, then
//     worker, then console; not test projects, Aspire app hosts or
//     mobile-only projects), with its assembly name, its .NET version
//     (the project or Directory.Build.props), the SDK of global.json and
//     the port of appsettings.json's Kestrel endpoints or Urls, or of
//     the code (never launchSettings.json, which is for development). On
//     a project of a solution, the solution's directory as Context;
//   - package.json with a "build" script that builds a site: [NodeStatic],
//     with the output directory its tool is configured to write (vite,
//     Angular, Create React App, a Next.js static export, SvelteKit,
//     Astro, webpack's --output-path or an output.path of
//     webpack.config.{js,cjs,mjs,ts} made of literals, __dirname,
//     path.resolve or path.join and the file's constants); a server (a start script, a main file, Next.js, Nuxt,
//     NestJS, SvelteKit's node adapter): [NodeServer], but not from a
//     start script that only builds or watches assets (sass, postcss,
//     tailwindcss, a tool with --watch) or runs development servers
//     (webpack serve, vite, ng serve, react-scripts start, parcel), or
//     scripts that do (npm run, npm-run-all, concurrently, pnpm
//     --filter of a member): next start or node server.js are servers,
//     next dev is none. A library (a
//     build script, main, module, types or exports in its build output,
//     no HTML entry, site framework or server dependency) is neither,
//     even when it bundles with vite or webpack. The front end of a Java
//     application comes after it: a package whose output is in the
//     target/ (or build/) directory of a pom.xml (or build.gradle) in
//     its directory or above is ranked last, the reason saying why, and
//     gets no detection at all when that build, or the one of its own
//     directory, runs it (frontend-maven-plugin, node-gradle,
//     frontend-gradle-plugin). Likewise, a package whose output lies
//     in the directory of a Go, .NET, Maven or Python application that
//     Detect finds in dir (client/dist of a Flask application, Django's
//     static directories) comes after it, the reason saying that the
//     front end is built for the backend. Both with the package manager at its
//     pinned version (packageManager, yarnPath, the
//     lockfile's format), the files its install reads, and the Node.js
//     version of .nvmrc, .node-version, Volta or engines.node. A member
//     of an npm, Yarn or pnpm workspace is built from the workspace's
//     root (its Context); on the root, each application member gets a
//     detection;
//   - pom.xml: [Maven], with the Maven wrapper when mvnw is there, the jar
//     name (a Spring Boot jar, a shaded or assembled one, Micronaut's, a
//     Quarkus uber-jar) or a Quarkus fast-jar, the Java version
//     (.sdkmanrc, .java-version, else the POM and its parents), Spring
//     Boot's version (its layers are extracted), the port (server.port,
//     quarkus.http.port, micronaut.server.port) and the sources beside
//     src/ that the build reads (frontend-maven-plugin, which runs the
//     front end's Node.js build, lombok.config);
//     on the root of a reactor, one detection per module
//     whose jar runs with java -jar (built with -pl <module> -am), and on
//     a module, its reactor's root as Context; but a module that inherits
//     from no POM of the reactor and uses no artifact its other modules
//     build is a project of its own: its directory as Context, its own
//     wrapper, no -pl (and the reason says when its .dockerignore leaves
//     out the files the build copies);
//   - requirements.txt (or requirements/production.txt, prod.txt),
//     uv.lock, poetry.lock, Pipfile.lock, or a pyproject.toml with a
//     [project] or [build-system] table: [Python], with the package
//     manager of the lockfile (for a member of a uv workspace, the
//     workspace's root as Context and the member as Package and AppDir),
//     the requirements files that
//     requirements.txt includes (-r, -c), the Python version
//     (.python-version, runtime.txt, else the newest supported version
//     that requires-python allows), the Debian packages of dependencies
//     that build from source (psycopg2: libpq-dev in the builder, libpq5
//     in the runtime; mysqlclient; pycairo; uwsgi), and the command: the
//     Procfile's web process (run with bash -c, as Heroku and Cloud
//     Foundry run it, the server exec'd), a Django project's WSGI (or ASGI)
//     application under gunicorn (or uvicorn) with collectstatic when
//     STATIC_ROOT is set, a FastAPI app under uvicorn, a Flask app
//     (FLASK_APP, .flaskenv) under gunicorn, the one [project.scripts]
//     entry, app.py or main.py; the port of the Procfile or .env.
//
// The versions are the ones the project pins, kept even when they are past
// their end of life, since the image must match the project; the reason
// then ends with a note saying so and naming the preset's default to move
// to. Where the project pins none, the option stays empty and the preset's
// default, the newest supported line, applies.
//
// A project can match several presets (a Go server with a web front end,
// a Node.js application with both scripts). Detect returns no error for a
// directory that matches nothing; it returns an error only when dir or a
// manifest in it cannot be read or parsed.
func Detect(dir string) ([]Detection, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	p := &project{dir: dir, fsys: os.DirFS(dir), files: map[string]fs.DirEntry{}}
	for _, e := range entries {
		p.files[e.Name()] = e
	}
	var out []Detection
	var errs []error
	for _, detect := range []func(*project) ([]Detection, error){detectGo, detectDotNet, detectNode, detectMaven, detectPython} {
		ds, err := detect(p)
		if err != nil {
			errs = append(errs, err)
		}
		out = append(out, ds...)
	}
	out, fronts := frontEndsAfter(out, dir)
	p.after = append(p.after, fronts...)
	out = append(out, p.after...)
	for i := range out {
		if out[i].Context == "" {
			out[i].Context = dir
		}
		out[i].Reason += eolNote(out[i], now())
	}
	return out, errors.Join(errs...)
}

// project is the directory Detect looks at.
type project struct {
	dir   string
	fsys  fs.FS                  // the directory
	files map[string]fs.DirEntry // entries of the root
	after []Detection            // detections that belong after every preset's own
}

func (p *project) has(name string) bool {
	e, ok := p.files[name]
	return ok && !e.IsDir()
}

func (p *project) hasDir(name string) bool {
	e, ok := p.files[name]
	return ok && e.IsDir()
}

// read reads the project's file name (slash-separated, relative to the
// project) with readFile's limits, within the project: a symbolic link
// that leads out of it is an error, as the build context has no such
// file.
func (p *project) read(name string) ([]byte, error) {
	root, err := os.OpenRoot(p.dir)
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	defer root.Close()
	data, err := readOpened(filepath.FromSlash(name), root.Stat, root.Open)
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	// Editors on Windows start files with a byte order mark, which npm
	// and the other tools skip and encoding/json does not.
	return bytes.TrimPrefix(data, []byte("\ufeff")), nil
}

// maxFileSize is the largest file Detect reads. Manifests and lockfiles
// are far smaller; the limit keeps a hostile project from making Detect
// allocate without end.
const maxFileSize = 64 << 20

// The errors of readFile, in an *fs.PathError. Both are fs.ErrInvalid.
var (
	errNotRegular error = invalidFile("not a regular file")
	errTooLarge   error = invalidFile(fmt.Sprintf("larger than %d MiB", maxFileSize>>20))
)

// invalidFile is a file Detect does not read.
type invalidFile string

func (e invalidFile) Error() string        { return string(e) }
func (e invalidFile) Is(target error) bool { return target == fs.ErrInvalid }

// readFile reads a file Detect looks at, as os.ReadFile does, but only a
// regular file (or a symbolic link to one) of at most maxFileSize bytes:
// a named pipe would block Detect and a device such as /dev/zero never
// ends, so both are errors (an *fs.PathError), as is a larger file.
func readFile(file string) ([]byte, error) {
	return readOpened(file, os.Stat, os.Open)
}

// readOpened is readFile with the Stat and Open of a file system (the
// OS's, or an [os.Root]'s).
func readOpened(name string, stat func(string) (fs.FileInfo, error), open func(string) (*os.File, error)) ([]byte, error) {
	fi, err := stat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errNotRegular}
	}
	if fi.Size() > maxFileSize {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errTooLarge}
	}
	f, err := open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err == nil && len(data) > maxFileSize {
		err = &fs.PathError{Op: "read", Path: name, Err: errTooLarge}
	}
	return data, err
}

// glob returns the root files whose names match pattern, sorted.
func (p *project) glob(pattern string) []string {
	var out []string
	for name, e := range p.files {
		if ok, _ := path.Match(pattern, name); ok && !e.IsDir() {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// firstLine returns the first non-empty line of a root file, trimmed, or "".
func (p *project) firstLine(name string) string {
	if !p.has(name) {
		return ""
	}
	data, err := p.read(name)
	if err != nil {
		return ""
	}
	return firstLineOfData(data)
}

// firstLineOf returns the first line of file that is neither empty nor a
// comment, trimmed, or "".
func firstLineOf(file string) string {
	data, err := readFile(file)
	if err != nil {
		return ""
	}
	return firstLineOfData(data)
}

// firstLineOfData is firstLineOf of a file's contents.
func firstLineOfData(data []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return ""
}
