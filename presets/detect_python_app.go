package presets

import (
	"bytes"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// pythonVersion sets o.Version from the project's pin (.python-version,
// runtime.txt) or, for a range (requires-python, Poetry's python, Pipfile's
// python_version), the newest supported version it allows.
func (py *pyProject) pythonVersion(o *PythonOptions, project, poetry, pipfile map[string]any) {
	for _, f := range []string{".python-version", "runtime.txt"} {
		if v := pyVersionRe.FindStringSubmatch(py.p.firstLine(f)); v != nil {
			o.Version = v[1]
			py.note("Python %s (%s)", v[1], f)
			return
		}
	}
	if py.root != "" {
		if v := pyVersionRe.FindStringSubmatch(firstLineOf(filepath.Join(py.root, ".python-version"))); v != nil {
			o.Version = v[1]
			py.note("Python %s (the workspace's .python-version)", v[1])
			return
		}
	}
	if v := tomlString(tomlTable(pipfile, "requires"), "python_version"); v != "" {
		if m := pyVersionRe.FindStringSubmatch(v); m != nil {
			o.Version = m[1]
			py.note("Python %s (Pipfile)", m[1])
			return
		}
	}
	for _, c := range []struct{ spec, from string }{
		{tomlString(project, "requires-python"), "requires-python"},
		{tomlString(tomlTable(poetry, "dependencies"), "python"), "Poetry's python"},
	} {
		if c.spec == "" {
			continue
		}
		if v, ok := newestPython(c.spec); ok {
			o.Version = v
			if py.wheelsVersion(o, c.spec, c.from) {
				return
			}
			py.note("Python %s, the newest that %s %q allows", v, c.from, c.spec)
		} else {
			py.note("%s %q allows no Python Detect knows: set Version", c.from, c.spec)
		}
		return
	}
	py.note("no Python version pinned (.python-version, requires-python): the default assumed, set Version")
}

// wheelsVersion lowers o.Version, the newest Python the range spec
// allows, to the newest one for which every package of the lockfile with
// CPython-specific wheels has one: on a newer Python such a package
// builds from source, which a slim image cannot, and an old C extension
// often fails to on a Python newer than it. It says whether it did.
// Pipfile.lock names no files; requirements.txt hashes name none either.
func (py *pyProject) wheelsVersion(o *PythonOptions, spec, from string) bool {
	var lockfile string
	switch o.PackageManager {
	case UV:
		lockfile = "uv.lock"
	case Poetry:
		lockfile = "poetry.lock"
	default:
		return false
	}
	var allowed []string
	for _, v := range pythonVersions {
		if ok, _ := pythonAllows(spec, v); ok && compareVersions(mustVersion(v), mustVersion(o.Version)) <= 0 {
			allowed = append(allowed, v)
		}
	}
	v, limiting, ok := wheelPython(allowed, py.lockedWheels(lockfile))
	if !ok {
		return false
	}
	have := "has"
	if len(limiting) > 1 {
		have = "have"
	}
	py.note("Python %s, the newest that %s in %s %s wheels for (%s %q allows %s)", v, joinAnd(limiting), lockfile, have, from, spec, o.Version)
	o.Version = v
	return true
}

func mustVersion(s string) []int { v, _ := parseVersion(s); return v }

// joinAnd joins names as a sentence does: "a", "a and b", "a, b and c".
func joinAnd(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// systemPackages fills the Debian packages of the dependencies Detect
// knows to need them.
func (py *pyProject) systemPackages(o *PythonOptions) {
	var why []string
	for _, sp := range pythonPackages {
		extras, ok := py.deps[sp.name]
		if !ok {
			continue
		}
		if sp.extra != "" && !slices.Contains(extras, sp.extra) {
			continue
		}
		if sp.extra == "" && sp.name == "psycopg" && (slices.Contains(extras, "binary") || slices.Contains(extras, "c")) {
			continue
		}
		for _, b := range sp.build {
			if !slices.Contains(o.BuildPackages, b) {
				o.BuildPackages = append(o.BuildPackages, b)
			}
		}
		for _, r := range sp.runtime {
			if !slices.Contains(o.RuntimePackages, r) {
				o.RuntimePackages = append(o.RuntimePackages, r)
			}
		}
		name := sp.name
		if sp.extra != "" {
			name += "[" + sp.extra + "]"
		}
		why = append(why, name)
	}
	if len(why) > 0 {
		var parts []string
		if len(o.BuildPackages) > 0 {
			parts = append(parts, strings.Join(o.BuildPackages, " ")+" in the builder")
		}
		if len(o.RuntimePackages) > 0 {
			parts = append(parts, strings.Join(o.RuntimePackages, " ")+" in the runtime")
		}
		py.note("%s: Debian packages %s (set BuildPackages and RuntimePackages for others)", strings.Join(why, ", "), strings.Join(parts, ", "))
	}
}

// command sets o.Cmd and o.Port: from the Procfile's web process, else
// the server of the framework the dependencies name (Django, FastAPI,
// Flask), else the one [project.scripts] entry, app.py or main.py.
func (py *pyProject) command(o *PythonOptions, project map[string]any) {
	port := 0
	if v := envFileValue(py.p, ".env", "PORT"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 && n < 65536 {
			port = n
			py.note("port %d (PORT in .env)", n)
		}
	}
	defaultPort := func() int {
		if port > 0 {
			return port
		}
		return 8000
	}
	djangoDir, isDjango := py.djangoDir()
	var wsgi, asgi string
	if isDjango {
		wsgi, asgi = py.django(o, djangoDir)
	}
	if py.procfile(o, defaultPort()) {
		if djangoDir != "" {
			// The Procfile runs from the root: so does the image,
			// and collectstatic, which needs manage.py's directory,
			// is left to the caller.
			for i, d := range o.WritableDirs {
				o.WritableDirs[i] = path.Join(djangoDir, d)
			}
			if o.CollectStatic {
				o.CollectStatic = false
				py.note("collectstatic not run: manage.py is in %s/ and the Procfile runs from the root; run python %s/manage.py collectstatic --noinput in Steps.AfterBuild", djangoDir, djangoDir)
			}
		}
		return
	}
	if isDjango {
		if djangoDir != "" {
			o.AppDir = path.Join(o.AppDir, djangoDir)
			py.note("manage.py in %s/: collectstatic and the server run there (AppDir)", djangoDir)
		}
		py.djangoServer(o, wsgi, asgi, defaultPort())
		if port == 0 && o.Cmd != nil {
			py.note("port 8000 assumed, set Port")
		}
		return
	}
	if py.deps.has("fastapi") && py.fastAPI(o, defaultPort()) || py.deps.has("flask") && py.flask(o, defaultPort()) {
		if port == 0 {
			py.note("port 8000 assumed, set Port")
		}
		return
	}
	scripts := tomlTable(project, "scripts")
	switch {
	case o.Project && len(scripts) == 1:
		for name := range scripts {
			o.Cmd = []string{name}
		}
		py.note("runs %s ([project.scripts])", o.Cmd[0])
	case py.p.has("app.py"):
		py.note("runs python app.py")
	case py.p.has("main.py"):
		o.Cmd = []string{"python", "main.py"}
		py.note("runs python main.py")
	default:
		py.note("no Procfile, framework, app.py or main.py: set Cmd")
	}
	if port > 0 {
		o.Port = port
	}
}

// procfile reads the web process of a Procfile into o.Cmd, and its port.
func (py *pyProject) procfile(o *PythonOptions, defaultPort int) bool {
	if !py.p.has("Procfile") {
		return false
	}
	data, err := py.p.read("Procfile")
	if err != nil {
		return false
	}
	var web string
	var others []string
	for _, l := range strings.Split(string(data), "\n") {
		name, cmd, ok := strings.Cut(l, ":")
		name, cmd = strings.TrimSpace(name), strings.TrimSpace(cmd)
		if !ok || name == "" || strings.HasPrefix(name, "#") || strings.ContainsAny(name, " {}%") {
			continue
		}
		if name == "web" {
			web = cmd
		} else {
			others = append(others, name)
		}
	}
	if web == "" {
		return false
	}
	o.Cmd = procfileCmd(web)
	o.Port = defaultPort
	portFrom := "PORT, set in the image"
	if m := pyBindRe.FindStringSubmatch(web); m != nil && !strings.Contains(m[2], "PORT") {
		o.Port, _ = strconv.Atoi(m[2])
		portFrom = "the Procfile's --bind"
	} else if m := pyPortArgRe.FindStringSubmatch(web); m != nil && !strings.Contains(m[1], "PORT") {
		o.Port, _ = strconv.Atoi(m[1])
		portFrom = "the Procfile's --port"
	}
	py.note("runs the Procfile's web process: %s; port %d (%s)", web, o.Port, portFrom)
	if len(others) > 0 {
		py.note("the Procfile's other processes (%s) are not run by the image: run them with their own command", strings.Join(others, ", "))
	}
	for _, server := range []string{"gunicorn", "uvicorn", "uwsgi", "daphne", "hypercorn", "waitress"} {
		if containsWord(web, server) && !py.deps.has(server) && !(server == "uvicorn" && py.deps.has("fastapi") && slices.Contains(py.deps["fastapi"], "standard")) {
			py.note("%s is not among the dependencies Detect read: add it, or the image will not start", server)
		}
	}
	return true
}

// procfileCmd turns a Procfile command into the image's command. Heroku
// and Cloud Foundry run every Procfile command with "bash -c" (Cloud
// Foundry's launcher execs bash -c, a Heroku buildpack's processes are not
// direct ones), so the image does too: that expands $PORT, and starts a
// script that has no "#!" line (bash runs it itself when exec says
// ENOEXEC), in bash as on the platforms, where such scripts are often bash
// ones. The python:<version>-slim runtime has bash. The server is exec'd,
// "a; b; exec c", so that it is the container's first process and gets its
// signals.
func procfileCmd(cmd string) []string {
	last := max(strings.LastIndex(cmd, ";"), strings.LastIndex(cmd, "&&"))
	head, tail := "", cmd
	if last >= 0 {
		sep := 1
		if strings.HasPrefix(cmd[last:], "&&") {
			sep = 2
		}
		head, tail = cmd[:last+sep]+" ", strings.TrimSpace(cmd[last+sep:])
	}
	if !strings.ContainsAny(pyQuotedRe.ReplaceAllString(tail, "''"), "|&;<>()`") && !strings.HasPrefix(tail, "exec ") {
		tail = "exec " + tail
	}
	return []string{"/bin/bash", "-c", head + tail}
}

// containsWord says whether s has w as a whole word.
func containsWord(s, w string) bool {
	return slices.Contains(strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}), w)
}

// envFileValue returns key's value in a dotenv file of the project.
func envFileValue(p *project, file, key string) string {
	if !p.has(file) {
		return ""
	}
	data, err := p.read(file)
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimPrefix(strings.TrimSpace(l), "export ")
		if k, v, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == key {
			return strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return ""
}

// djangoDir finds the Django project: the directory of its manage.py, ""
// for the root, or the one directory below it whose manage.py names
// DJANGO_SETTINGS_MODULE (src/ in paperless-ngx, netbox/ in NetBox). A
// manage.py that is not Django's (Flask-Script's, Flask's CLI) does not
// count. ok is false when the project is not a Django one.
func (py *pyProject) djangoDir() (dir string, ok bool) {
	isDjango := func(rel string) bool {
		data, err := py.p.read(rel)
		return err == nil && bytes.Contains(bytes.ToLower(data), []byte("django"))
	}
	if py.p.has("manage.py") && isDjango("manage.py") {
		return "", true
	}
	manages, _ := fs.Glob(py.p.fsys, "*/manage.py")
	var found []string
	for _, m := range manages {
		d := path.Dir(m)
		if !strings.HasPrefix(d, ".") && d != "tests" && d != "docs" && d != "node_modules" && isDjango(m) {
			found = append(found, d)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], true
	case len(found) > 1:
		py.note("manage.py in %s: set AppDir to the Django project's directory", strings.Join(found, ", "))
	}
	return "", py.deps.has("django")
}

// django reads a Django project in dir (relative to the project, ""
// for its root): the settings module (of wsgi.py or asgi.py, else
// manage.py), STATIC_ROOT (collectstatic at build time) and MEDIA_ROOT (a
// writable directory, relative to dir), and returns its WSGI and ASGI
// applications ("mysite.wsgi.application").
func (py *pyProject) django(o *PythonOptions, dir string) (wsgi, asgi string) {
	read := func(rel string) string {
		data, err := py.p.read(path.Join(dir, rel))
		if err != nil {
			return ""
		}
		return string(data)
	}
	exists := func(rel string) bool {
		return fileExists(filepath.Join(py.p.dir, filepath.FromSlash(path.Join(dir, rel))))
	}
	shown := func(rel string) string { return path.Join(dir, rel) }
	settings, from := "", ""
	if m := pySetdefRe.FindStringSubmatch(read("manage.py")); m != nil {
		settings, from = m[1], shown("manage.py")
	}
	// The server's module sets the production settings, which manage.py
	// often does not (cookiecutter-django: local in manage.py,
	// production in wsgi.py). It may be a package (Saleor's asgi/).
	pkg := strings.Split(settings, ".")[0]
	for _, f := range []string{pkg + "/wsgi.py", pkg + "/wsgi/__init__.py", pkg + "/asgi.py", pkg + "/asgi/__init__.py"} {
		if m := pySetdefRe.FindStringSubmatch(read(f)); pkg != "" && m != nil {
			settings, from = m[1], shown(f)
			break
		}
	}
	if settings == "" {
		py.note("Django, but no DJANGO_SETTINGS_MODULE in %s: set DjangoSettings", shown("manage.py"))
		return "", ""
	}
	o.DjangoSettings = settings
	py.note("Django settings %s (%s)", settings, from)
	// The settings' text: the module, or every file of a settings
	// package (base.py, production.py, ...).
	var text strings.Builder
	mod := strings.ReplaceAll(settings, ".", "/")
	settingsDir := path.Dir(mod)
	if exists(mod + "/__init__.py") {
		settingsDir = mod
	}
	text.WriteString(read(mod + ".py"))
	// A settings package, or a module of one (config/settings/base.py,
	// config/django/production.py): its other modules too, which it
	// imports. Not the siblings of mysite/settings.py (urls.py ...).
	if settingsDir == mod || path.Base(settingsDir) == "settings" || path.Dir(settingsDir) != "." {
		if ents, err := fs.ReadDir(py.p.fsys, path.Join(dir, settingsDir)); err == nil {
			for _, e := range ents {
				if strings.HasSuffix(e.Name(), ".py") && text.Len() < 1<<20 && settingsDir+"/"+e.Name() != mod+".py" {
					text.WriteString(read(settingsDir + "/" + e.Name()))
				}
			}
		}
	}
	if settingsDir != mod && settingsDir != "." {
		for _, prod := range []string{"production", "prod"} {
			if alt := strings.ReplaceAll(settingsDir, "/", ".") + "." + prod; alt != settings && exists(settingsDir+"/"+prod+".py") {
				py.note("%s is there too: set DjangoSettings to it for production", alt)
				break
			}
		}
	}
	s := text.String()
	apps := map[string]string{}
	for _, m := range pyAppSetRe.FindAllStringSubmatch(s, -1) {
		apps[m[1]] = m[2]
	}
	wsgi, asgi = apps["WSGI_APPLICATION"], apps["ASGI_APPLICATION"]
	if wsgi == "" && (exists(pkg+"/wsgi.py") || exists(pkg+"/wsgi/__init__.py")) {
		wsgi = pkg + ".wsgi.application"
	}
	if asgi == "" && (exists(pkg+"/asgi.py") || exists(pkg+"/asgi/__init__.py")) {
		asgi = pkg + ".asgi.application"
	}
	if pyStaticRe.MatchString(s) {
		o.CollectStatic = true
		py.note("STATIC_ROOT set: collectstatic at build time with %s (settings that need secrets or a database to load fail it: give them defaults, or unset CollectStatic)", settings)
	}
	if m := regexpFind(pyMediaRe, s); m != "" {
		o.WritableDirs = []string{m}
		py.note("MEDIA_ROOT %s/ made writable for uploads", shown(m))
	}
	if strings.Contains(s, "django.db.backends.sqlite3") {
		py.note("a SQLite database: the image's user cannot write /app; put the file in a directory of WritableDirs")
	}
	return wsgi, asgi
}

// djangoServer runs a Django application: its WSGI application under
// gunicorn, or its ASGI application under uvicorn when only the ASGI one
// is there or the dependencies have uvicorn (or Channels) and no
// gunicorn. It never runs runserver, Django's development server.
func (py *pyProject) djangoServer(o *PythonOptions, wsgi, asgi string, port int) {
	target := func(dotted string) string {
		i := strings.LastIndex(dotted, ".")
		return dotted[:i] + ":" + dotted[i+1:]
	}
	server := ""
	switch {
	case asgi != "" && (wsgi == "" || !py.deps.has("gunicorn") && (py.deps.has("uvicorn") || py.deps.has("channels"))):
		server = "uvicorn"
		o.Cmd = []string{"uvicorn", target(asgi), "--host", "0.0.0.0", "--port", strconv.Itoa(port)}
		py.note("runs the ASGI application %s under uvicorn", asgi)
	case wsgi != "":
		server = "gunicorn"
		o.Cmd = []string{"gunicorn", "--bind", "0.0.0.0:" + strconv.Itoa(port), target(wsgi)}
		py.note("runs the WSGI application %s under gunicorn", wsgi)
	default:
		py.note("no WSGI_APPLICATION or wsgi.py beside the settings: set Cmd (Detect never runs runserver)")
		return
	}
	o.Port = port
	if !py.deps.has(server) {
		py.note("%s is not among the dependencies: add it, or the image will not start", server)
	}
}

// fastAPI finds the FastAPI application object and runs it under uvicorn.
func (py *pyProject) fastAPI(o *PythonOptions, port int) bool {
	mod, obj, appDir := py.findApp("FastAPI")
	if mod == "" {
		py.note("FastAPI, but no `app = FastAPI(`, `app = create_app()` or `def create_app(` found in main.py, app.py, app/main.py, */main.py or src/")
		return false
	}
	o.Cmd = []string{"uvicorn", mod + ":" + strings.TrimSuffix(obj, "()"), "--host", "0.0.0.0", "--port", strconv.Itoa(port)}
	if strings.HasSuffix(obj, "()") {
		o.Cmd = append(o.Cmd, "--factory")
	}
	if appDir != "" {
		o.Cmd = append(o.Cmd, "--app-dir", appDir)
	}
	o.Port = port
	if factory, ok := strings.CutSuffix(obj, "()"); ok {
		py.note("runs the FastAPI application that %s:%s() makes under uvicorn --factory", mod, factory)
	} else {
		py.note("runs the FastAPI application %s:%s under uvicorn", mod, obj)
	}
	if !py.deps.has("uvicorn") && !slices.Contains(py.deps["fastapi"], "standard") {
		py.note("uvicorn is not among the dependencies: add uvicorn (or fastapi[standard]), or the image will not start")
	}
	return true
}

// flask finds the Flask application (FLASK_APP of .flaskenv or .env, else
// an app object or a create_app factory) and runs it under gunicorn.
func (py *pyProject) flask(o *PythonOptions, port int) bool {
	target := ""
	for _, f := range []string{".flaskenv", ".env"} {
		if v := envFileValue(py.p, f, "FLASK_APP"); v != "" {
			target = flaskTarget(py, v)
			py.note("FLASK_APP=%s (%s)", v, f)
			break
		}
	}
	if target == "" {
		mod, obj, _ := py.findApp("Flask")
		if mod == "" {
			py.note("Flask, but no FLASK_APP, `app = Flask(` or create_app() found")
			return false
		}
		target = mod + ":" + obj
	}
	o.Cmd = []string{"gunicorn", "--bind", "0.0.0.0:" + strconv.Itoa(port), target}
	o.Port = port
	py.note("runs the Flask application %s under gunicorn", target)
	if !py.deps.has("gunicorn") {
		py.note("gunicorn is not among the dependencies: add it, or the image will not start")
	}
	return true
}

// flaskTarget turns a FLASK_APP value ("app.py", "pkg", "pkg:create_app()",
// "pkg.module:app") into gunicorn's module:object.
func flaskTarget(py *pyProject, v string) string {
	mod, obj, _ := strings.Cut(v, ":")
	mod = strings.ReplaceAll(strings.TrimSuffix(mod, ".py"), "/", ".")
	if obj != "" {
		return mod + ":" + obj
	}
	file := strings.ReplaceAll(mod, ".", "/")
	for _, f := range []string{file + ".py", file + "/__init__.py"} {
		data, err := py.p.read(f)
		if err != nil {
			continue
		}
		if m := pyAppObjRe.FindSubmatch(data); m != nil {
			return mod + ":" + string(m[1])
		}
		if m := pyFactoryRe.FindSubmatch(data); m != nil {
			return mod + ":" + string(m[1]) + "()"
		}
	}
	return mod + ":app"
}

// findApp looks for `<obj> = <kind>(` (or, for Flask, a create_app
// factory) in the usual places, and returns the module, the object and,
// for a src layout, the directory to import it from.
func (py *pyProject) findApp(kind string) (mod, obj, appDir string) {
	var files []string
	for _, f := range []string{"main.py", "app.py", "wsgi.py", "asgi.py", "server.py", "app/main.py", "app/app.py", "app/__init__.py", "api/main.py", "src/main.py", "src/app/main.py"} {
		if fileExists(filepath.Join(py.p.dir, filepath.FromSlash(f))) {
			files = append(files, f)
		}
	}
	for _, pattern := range []string{"*/main.py", "*/app.py", "*/__init__.py", "src/*/main.py", "src/*/app.py", "src/*/__init__.py"} {
		m, _ := fs.Glob(py.p.fsys, pattern)
		for _, f := range m {
			if !slices.Contains(files, f) && !strings.HasPrefix(f, "tests/") && !strings.HasPrefix(f, ".") {
				files = append(files, f)
			}
		}
	}
	for _, f := range files {
		data, err := py.p.read(f)
		if err != nil {
			continue
		}
		name := appObject(data, kind)
		if name == "" {
			continue
		}
		rel := strings.TrimSuffix(f, ".py")
		if after, ok := strings.CutPrefix(rel, "src/"); ok {
			rel, appDir = after, "src"
		}
		rel = strings.TrimSuffix(rel, "/__init__")
		return strings.ReplaceAll(rel, "/", "."), name, appDir
	}
	return "", "", ""
}

// appObject returns the application of kind ("FastAPI", "Flask") that
// a module's source defines: the name of a module-level object made by
// the class (`app = FastAPI(`) or by a factory (`app = create_app()`,
// `app = get_application()` defined in the module), else the factory
// itself with "()" (`def create_app(`: gunicorn calls it, uvicorn
// with --factory), else "".
func appObject(src []byte, kind string) string {
	mentions := bytes.Contains(src, []byte(kind))
	if m := pyAppObjRe.FindSubmatch(src); m != nil && string(m[2]) == kind {
		return string(m[1])
	}
	for _, m := range pyAppCallRe.FindAllSubmatch(src, -1) {
		callee := string(m[2])
		if pyFactoryNameRe.MatchString(callee) || mentions && regexp.MustCompile(`(?m)^def `+callee+`\(`).Match(src) {
			return string(m[1])
		}
	}
	if m := pyFactoryRe.FindSubmatch(src); m != nil && (mentions || string(m[1]) == "create_app" || string(m[1]) == "make_app") {
		return string(m[1]) + "()"
	}
	return ""
}

// regexpFind returns the first group of the first match of re in s.
func regexpFind(re *regexp.Regexp, s string) string {
	if m := re.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}
