package presets

import (
	"path"
	"regexp"
	"slices"
	"strings"
)

// webpackConfigs are the files webpack reads its configuration from
// when no --config names one.
var webpackConfigs = []string{"webpack.config.js", "webpack.config.cjs", "webpack.config.mjs", "webpack.config.ts", "webpack.config.babel.js"}

// runsWebpack reports whether a script of pkg runs webpack to build
// (not webpack serve), itself or through the scripts it runs (npm run,
// pnpm, yarn, run-s, npm-run-all); it returns the words of the webpack
// command.
func runsWebpack(pkg packageJSON, script string) []string {
	return runsWebpackIn(pkg, script, map[string]bool{})
}

// runsWebpackIn is runsWebpack, visiting each script once.
func runsWebpackIn(pkg packageJSON, script string, seen map[string]bool) []string {
	sub := func(name string) []string {
		if seen[name] {
			return nil
		}
		seen[name] = true
		return runsWebpackIn(pkg, pkg.Scripts[name], seen)
	}
	for _, c := range regexp.MustCompile(`&&|\|\||[;|&]`).Split(script, -1) {
		words := commandWords(c)
		if len(words) == 0 {
			continue
		}
		tool, args := path.Base(words[0]), words[1:]
		switch {
		case tool == "webpack" || tool == "webpack-cli":
			if len(args) == 0 || args[0] != "serve" && args[0] != "watch" {
				return words
			}
		case (tool == "npm" || tool == "pnpm" || tool == "yarn") && len(args) > 1 && (args[0] == "run" || args[0] == "run-script"):
			if w := sub(args[1]); w != nil {
				return w
			}
		case slices.Contains(scriptRunners, tool) && tool != "concurrently":
			for _, a := range args {
				if _, ok := pkg.Scripts[a]; ok && !strings.HasPrefix(a, "-") {
					if w := sub(a); w != nil {
						return w
					}
				}
			}
		case pkg.Scripts[tool] != "" && (len(args) == 0 || tool != words[0]):
			if w := sub(tool); w != nil {
				return w
			}
		}
	}
	return nil
}

// webpackOutput returns the directory, relative to the package, that
// the webpack command words write, and says where Detect read it: its
// --output-path, else output.path of its configuration when written in
// a form Detect evaluates (a string literal, path.resolve or path.join
// of __dirname and literals, __dirname + "/dist", constants of the file
// holding those), else webpack's default dist/. ok is false when the
// configuration sets a path Detect cannot read: dist is then assumed.
func webpackOutput(p *project, words []string) (dir, how string, ok bool) {
	config := ""
	for i, w := range words {
		next := ""
		if i+1 < len(words) {
			next = words[i+1]
		}
		switch {
		case w == "--output-path" || w == "-o":
			if rel, ok := relativeOutput(next); ok {
				return rel, "webpack " + w + " " + next + " writes " + rel + "/", true
			}
		case strings.HasPrefix(w, "--output-path="):
			if rel, ok := relativeOutput(strings.TrimPrefix(w, "--output-path=")); ok {
				return rel, "webpack " + w + " writes " + rel + "/", true
			}
		case w == "--config" || w == "-c":
			config = path.Clean(next)
		case strings.HasPrefix(w, "--config="):
			config = path.Clean(strings.TrimPrefix(w, "--config="))
		}
	}
	if config == "" {
		for _, f := range webpackConfigs {
			if p.has(f) {
				config = f
				break
			}
		}
	}
	if config == "" || !p.exists(config, false) {
		return "dist", "webpack writes dist/, its default (no webpack.config)", true
	}
	data, err := p.read(config)
	if err != nil {
		return "dist", "assumed to write dist/ (" + config + " unreadable; set OutputDir)", false
	}
	if len(data) > maxWebpackConfig {
		// A configuration is a few kilobytes; the scan below is not
		// linear in a file built to defeat it.
		return "dist", "assumed to write dist/ (" + config + " is larger than Detect reads; set OutputDir)", false
	}
	src := string(data)
	paths, found := webpackOutputPaths(src)
	if !found {
		return "dist", "webpack writes dist/, its default (" + config + " sets no output.path Detect finds; set OutputDir if it does)", true
	}
	var dirs []string
	for _, expr := range paths {
		v, ok := (&jsFile{src: src}).eval(expr, 0)
		if !ok {
			return "dist", "assumed to write dist/ (" + config + "'s output.path, " + strings.Join(strings.Fields(expr), " ") + ", is not a form Detect evaluates; set OutputDir)", false
		}
		rel, ok := relativeOutput(v)
		if !ok {
			return "dist", "assumed to write dist/ (" + config + "'s output.path, " + v + ", is not in the package; set OutputDir)", false
		}
		if !slices.Contains(dirs, rel) {
			dirs = append(dirs, rel)
		}
	}
	if len(dirs) > 1 {
		return "dist", "assumed to write dist/ (" + config + " has several output paths: " + strings.Join(dirs, ", ") + "; set OutputDir)", false
	}
	return dirs[0], "webpack writes " + dirs[0] + "/ (output.path of " + config + ")", true
}

// maxWebpackConfig is the largest webpack configuration Detect reads.
const maxWebpackConfig = 256 << 10

// jsRoot stands for the package's directory (__dirname, the working
// directory) in the paths jsFile.eval computes.
const jsRoot = "/\x00pkg"

// relativeOutput returns the path v (relative to the package, or under
// jsRoot) relative to the package, when it is inside it and not the
// package itself.
func relativeOutput(v string) (string, bool) {
	if rest, ok := strings.CutPrefix(v, jsRoot); ok {
		if rest == "" || !strings.HasPrefix(rest, "/") {
			return "", false
		}
		v = strings.TrimPrefix(rest, "/")
	}
	if v == "" || path.IsAbs(v) || strings.ContainsAny(v, "$\x00*") {
		return "", false
	}
	v = path.Clean(v)
	if v == "." || v == ".." || strings.HasPrefix(v, "../") {
		return "", false
	}
	return v, true
}

var (
	webpackOutputRe = regexp.MustCompile(`\boutput\s*:\s*\{`)
	jsPathKeyRe     = regexp.MustCompile(`(?:^|[{,\s])(?:path|"path"|'path')\s*:\s*`)
)

// webpackOutputPaths returns the expressions of the path keys of the
// output objects of a webpack configuration, and whether it has any.
func webpackOutputPaths(src string) ([]string, bool) {
	src = stripJSComments(src)
	var out []string
	// A configuration has one output object, or one per entry of a
	// multi-configuration array: the few first are enough, and keep the
	// scan linear.
	for _, loc := range webpackOutputRe.FindAllStringIndex(src, 8) {
		body := jsBalanced(src[loc[1]-1:])
		if body == "" {
			continue
		}
		body = body[1 : len(body)-1]
		for _, k := range jsPathKeyRe.FindAllStringIndex(body, 8) {
			if jsDepth(body[:k[0]]) != 0 {
				continue
			}
			out = append(out, jsValue(body[k[1]:]))
		}
	}
	return out, len(out) > 0
}

// stripJSComments removes // and /* */ comments outside string literals.
func stripJSComments(src string) string {
	var b strings.Builder
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			j := jsStringEnd(src, i)
			b.WriteString(src[i:j])
			i = j - 1
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			b.WriteByte('\n')
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return b.String()
			}
			i += end + 3
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// jsStringEnd returns the index after the string literal that starts at
// src[i].
func jsStringEnd(src string, i int) int {
	q := src[i]
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case q:
			return j + 1
		case '\n':
			if q != '`' {
				return j
			}
		}
	}
	return len(src)
}

// jsScan walks src outside string literals and calls stop with the index
// of each byte and the bracket depth before it, until stop returns true.
// It returns that index (len(src) when stop never did) and the depth
// there.
func jsScan(src string, stop func(i, depth int) bool) (int, int) {
	depth := 0
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '"', '\'', '`':
			i = jsStringEnd(src, i) - 1
			continue
		}
		if stop(i, depth) {
			return i, depth
		}
		switch src[i] {
		case '{', '(', '[':
			depth++
		case '}', ')', ']':
			depth--
		}
	}
	return len(src), depth
}

// jsCloses says whether c closes a bracket.
func jsCloses(c byte) bool { return c == '}' || c == ')' || c == ']' }

// jsBalanced returns the prefix of src from its opening bracket to the
// one that closes it, or "".
func jsBalanced(src string) string {
	i, _ := jsScan(src, func(i, depth int) bool { return jsCloses(src[i]) && depth == 1 })
	if i == len(src) {
		return ""
	}
	return src[:i+1]
}

// jsDepth returns the bracket depth at the end of src.
func jsDepth(src string) int {
	_, depth := jsScan(src, func(int, int) bool { return false })
	return depth
}

// jsValue returns the expression at the start of src, up to a comma,
// semicolon, line end or closing bracket outside brackets.
func jsValue(src string) string {
	i, _ := jsScan(src, func(i, depth int) bool {
		return depth == 0 && (jsCloses(src[i]) || src[i] == ',' || src[i] == ';' || src[i] == '\n')
	})
	return strings.TrimSpace(src[:i])
}

var jsIdentRe = regexp.MustCompile(`^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*`)

// jsFile is a JavaScript file whose path expressions Detect evaluates,
// with the steps spent on it: a file built to make the evaluation
// exponential (constants of many constants) stops early.
type jsFile struct {
	src   string
	steps int
}

// eval evaluates a path expression of the JavaScript file: string
// literals (templates too, with the expressions it evaluates), __dirname,
// process.cwd(), path.resolve and path.join (or resolve and join) of
// such, + of such, and the constants the file declares with them. The
// package's directory is jsRoot. ok is false for anything else.
func (f *jsFile) eval(expr string, depth int) (string, bool) {
	f.steps++
	if depth > 8 || f.steps > 1000 {
		return "", false
	}
	expr = strings.TrimSpace(expr)
	var terms []string
	for rest := expr; ; {
		t, after, ok := jsTerm(rest)
		if !ok {
			return "", false
		}
		terms = append(terms, t)
		after = strings.TrimSpace(after)
		if after == "" {
			break
		}
		if after[0] != '+' {
			return "", false
		}
		rest = after[1:]
	}
	var b strings.Builder
	for _, t := range terms {
		v, ok := f.term(t, depth)
		if !ok {
			return "", false
		}
		b.WriteString(v)
	}
	return b.String(), true
}

// jsTerm splits the first operand of + off expr.
func jsTerm(expr string) (term, rest string, ok bool) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return "", "", false
	}
	if c := expr[0]; c == '"' || c == '\'' || c == '`' {
		j := jsStringEnd(expr, 0)
		return expr[:j], expr[j:], true
	}
	id := jsIdentRe.FindString(expr)
	if id == "" {
		return "", "", false
	}
	rest = strings.TrimSpace(expr[len(id):])
	if strings.HasPrefix(rest, "(") {
		call := jsBalanced(rest)
		if call == "" {
			return "", "", false
		}
		return id + call, rest[len(call):], true
	}
	return id, rest, true
}

// term evaluates one operand of eval.
func (f *jsFile) term(t string, depth int) (string, bool) {
	if c := t[0]; c == '"' || c == '\'' || c == '`' {
		if len(t) < 2 || t[len(t)-1] != c || strings.Contains(t, "\\") {
			return "", false
		}
		s := t[1 : len(t)-1]
		if c != '`' {
			return s, true
		}
		var b strings.Builder
		for {
			i := strings.Index(s, "${")
			if i < 0 {
				b.WriteString(s)
				return b.String(), true
			}
			j := strings.Index(s[i:], "}")
			if j < 0 {
				return "", false
			}
			v, ok := f.eval(s[i+2:i+j], depth+1)
			if !ok {
				return "", false
			}
			b.WriteString(s[:i] + v)
			s = s[i+j+1:]
		}
	}
	id := jsIdentRe.FindString(t)
	args, call := strings.CutPrefix(t[len(id):], "(")
	switch {
	case id == "__dirname" || id == "import.meta.dirname":
		return jsRoot, !call
	case id == "process.cwd":
		return jsRoot, call && strings.TrimSpace(args) == ")"
	case call && slices.Contains([]string{"path.resolve", "path.join", "resolve", "join", "path.posix.resolve", "path.posix.join"}, id):
		var parts []string
		for rest := strings.TrimSuffix(args, ")"); strings.TrimSpace(rest) != ""; {
			arg := jsValue(rest)
			if arg == "" {
				return "", false
			}
			v, ok := f.eval(arg, depth+1)
			if !ok {
				return "", false
			}
			parts = append(parts, v)
			rest = strings.TrimPrefix(strings.TrimSpace(rest[strings.Index(rest, arg)+len(arg):]), ",")
		}
		if strings.HasSuffix(id, "join") {
			return path.Join(parts...), len(parts) > 0
		}
		out := jsRoot // resolve starts from the working directory
		for _, part := range parts {
			if path.IsAbs(part) {
				out = part
			} else {
				out = path.Join(out, part)
			}
		}
		return path.Clean(out), true
	case !call && !strings.Contains(id, "."):
		// A constant of the file: const dist = path.join(__dirname, "dist").
		m := regexp.MustCompile(`(?m)(?:^|[\s;])(?:const|let|var)\s+`+regexp.QuoteMeta(id)+`\s*=\s*`).FindAllStringIndex(f.src, 2)
		if len(m) != 1 {
			return "", false
		}
		return f.eval(jsValue(f.src[m[0][1]:]), depth+1)
	}
	return "", false
}
