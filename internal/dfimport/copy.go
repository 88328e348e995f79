package dfimport

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/moby/buildkit/frontend/dockerfile/dfgitutil"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// copyArgs are the parts of a COPY or an ADD.
type copyArgs struct {
	add           bool
	from          string
	chown, chmod  string
	link, parents bool
	exclude       []string
	keepGitDir    *bool
	unpack        *bool
	checksum      string
	sd            instructions.SourcesAndDest
	// numbered is set when from is the image of a stage number past the
	// last stage (numberImage), which has its own warning.
	numbered bool
}

// heredocName is a heredoc name the API takes (multistage.CopyContent).
var heredocName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

func (w *walker) copy(c copyArgs) error {
	if len(c.sd.SourcePaths) == 0 && len(c.sd.SourceContents) == 0 {
		return w.unsupported("%s without sources", w.instr)
	}
	if image, ok := w.numbered[w.line]; ok {
		// Past the last stage, BuildKit numbers the images of COPY
		// --from and RUN --mount from= (numberImages).
		w.warn("COPY --from=%s: there is no stage %s; BuildKit counts the images that COPY --from and RUN --mount name as stages after the last one, and %s is the image %q: imported as --from=%s", c.from, c.from, c.from, image, image)
		c.from, c.numbered = image, true
	}

	var opts []any
	// BuildKit expands --chown and --chmod; with a variable in either,
	// every word of the copy goes to the API raw, with Expand.
	chown, chownVars, err := w.word(c.chown)
	if err != nil {
		return err
	}
	chmod, chmodVars, err := w.word(c.chmod)
	if err != nil {
		return err
	}
	if !chownVars && strings.Contains(chown, "$") && !strings.ContainsAny(c.chown, "\\\"'") {
		// A '$' the lexer keeps ("a$"): as a template, the word expands
		// to itself, and the API writes no literal '$' in a flag.
		chownVars = true
	}
	flagVars := chownVars || chmodVars
	if chownVars {
		chown = c.chown
	}
	if c.chown != "" {
		opts = append(opts, opt("Chown", chown))
	}
	if c.chmod != "" && chmodVars {
		opts = append(opts, opt("ChmodSymbolic", c.chmod))
	} else if c.chmod != "" {
		v := chmod
		mode, err := strconv.ParseUint(v, 8, 32)
		switch {
		case err == nil && mode <= 07777:
			fm := fs.FileMode(mode & 0777)
			if mode&04000 != 0 {
				fm |= fs.ModeSetuid
			}
			if mode&02000 != 0 {
				fm |= fs.ModeSetgid
			}
			if mode&01000 != 0 {
				fm |= fs.ModeSticky
			}
			opts = append(opts, opt("Chmod", fm))
		case err == nil || strings.Trim(v, "01234567") == "":
			return w.unsupported("--chmod=%s: an octal mode above 07777", v)
		default:
			opts = append(opts, opt("ChmodSymbolic", v))
		}
	}
	if c.link {
		opts = append(opts, opt("Link"))
	}
	if c.parents {
		opts = append(opts, opt("Parents"))
	}
	if len(c.exclude) > 0 {
		opts = append(opts, opt("Exclude", strs(c.exclude)...))
	}
	if c.keepGitDir != nil && *c.keepGitDir {
		opts = append(opts, opt("KeepGitDir"))
	}
	if c.unpack != nil {
		opts = append(opts, opt("Unpack", *c.unpack))
	}

	if c.checksum != "" {
		if v, used, err := w.word(c.checksum); err == nil && !used && v == "" {
			// BuildKit expands the checksum first and takes an empty
			// one (--checksum=\\) for none.
			c.checksum = ""
		}
	}
	// Sources, destination and checksum: literal unless one refers to a
	// variable.
	raws := append(append([]string(nil), c.sd.SourcePaths...), c.sd.DestPath)
	if c.checksum != "" {
		raws = append(raws, c.checksum)
	}
	vals := make([]string, len(raws))
	expand := flagVars
	for i, r := range raws {
		v, used, err := w.word(r)
		if err != nil {
			return err
		}
		if !used && strings.Contains(v, "$") && !strings.ContainsAny(r, "\\\"'") {
			// A '$' the lexer keeps ("a$"): as a template, the word
			// expands to itself, and the API writes no literal '$'
			// where BuildKit expands.
			used = true
		}
		if !used && i < len(c.sd.SourcePaths) && w.instr == "COPY" {
			if err := copySource(v); err != nil {
				return &SyntaxError{Line: w.line, Err: err}
			}
		}
		vals[i] = v
		expand = expand || used
	}

	// Heredoc contents: BuildKit expands those with an unquoted name,
	// without processing quotes.
	type content struct {
		name, data string
		used       bool
		raw        bool // data needs no expansion and is its own value
	}
	var contents []content
	for _, sc := range c.sd.SourceContents {
		if !heredocName.MatchString(sc.Path) {
			return w.unsupported("heredoc name %q: only letters, digits, '_', '.' and '-' are supported", sc.Path)
		}
		ct := content{name: sc.Path, data: sc.Data, raw: !strings.ContainsAny(sc.Data, `$\`)}
		if sc.Expand {
			lex := shell.NewLex(w.escape)
			lex.SkipProcessQuotes = true
			t := &tracker{}
			v, _, err := lex.ProcessWord(sc.Data, t)
			if err != nil {
				return &SyntaxError{Line: w.line, Err: err}
			}
			ct.used = t.used
			if !t.used {
				ct.data = v
			}
			expand = expand || t.used
		}
		contents = append(contents, ct)
	}
	if expand {
		for i, r := range raws {
			raw, err := w.template("path", r)
			if err != nil {
				return err
			}
			vals[i] = raw
		}
		for i, sc := range c.sd.SourceContents {
			if !sc.Expand && !contents[i].raw {
				return w.unsupported("a quoted heredoc with '$' or '\\' in a %s whose other words refer to variables", w.instr)
			}
			if sc.Expand {
				if w.escape != '\\' && strings.ContainsAny(sc.Data, `\`+string(w.escape)) {
					return w.unsupported("heredoc %s refers to a variable and uses escapes under \"# escape=%c\"", sc.Path, w.escape)
				}
				contents[i].data = sc.Data
			}
		}
		opts = append(opts, opt("Expand"))
	}
	if c.checksum != "" {
		opts = append(opts, opt("Checksum", vals[len(vals)-1]))
		vals = vals[:len(vals)-1]
	}
	srcs, dst := vals[:len(vals)-1], vals[len(vals)-1]
	for i, s := range srcs {
		if s == "" {
			// BuildKit reads an empty source as the root of the
			// context or stage (system.NormalizePath), as it reads ".".
			srcs[i] = "."
		}
	}
	if len(contents) > 0 {
		for _, p := range vals {
			if strings.IndexFunc(p, unicode.IsSpace) >= 0 {
				return w.unsupported("path %q of a %s with heredocs has white space, which the API cannot write there", p, w.instr)
			}
		}
	}
	if dst == "" {
		// BuildKit reads an empty destination as the working directory
		// (pathRelativeToWorkingDir), as it reads ".".
		dst = "."
	}
	var more []any
	if len(srcs) > 1 {
		more = append(more, opt("MoreSources", strs(srcs[1:])...))
	}
	first := 0
	if len(srcs) == 0 {
		first = 1 // the first content is the call's
	}
	for _, ct := range contents[first:] {
		more = append(more, opt("MoreContent", ct.name, ct.data))
	}
	opts = append(more, opts...)

	if c.add && len(srcs) == 0 {
		// ADD and COPY write heredocs alike (dispatchCopy).
		if c.checksum != "" || c.keepGitDir != nil || c.unpack != nil {
			return w.unsupported("ADD of heredocs only with --checksum, --keep-git-dir or --unpack")
		}
		w.warn("ADD with only heredoc sources is imported as COPY, which writes the same files")
	} else if c.add {
		return w.addCall(srcs, dst, opts, expand)
	}
	if len(srcs) == 0 {
		if c.from != "" {
			// The heredocs are the only sources: the frontend copies them
			// from scratch, and nothing from --from.
			w.warn("COPY --from=%s with only heredoc sources copies nothing from %s: imported without --from", c.from, c.from)
		}
		w.add("CopyContent", append([]any{contents[0].name, contents[0].data, dst}, opts...)...)
		return nil
	}
	if c.from == "" {
		w.add("Copy", append([]any{srcs[0], dst}, opts...)...)
		return nil
	}
	if strings.ContainsAny(c.from, "$\"'\\`") {
		// As toCommand does: BuildKit refuses the Dockerfile.
		return &SyntaxError{Line: w.line, Err: fmt.Errorf("COPY --from=%s: variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround", c.from)}
	}
	if n, err := strconv.Atoi(c.from); err == nil {
		if n < 0 || n >= len(w.prog.Stages) {
			return &SyntaxError{Line: w.line, Err: fmt.Errorf("COPY --from=%d: there is no stage %d", n, n)}
		}
		if err := w.before(n, c.from); err != nil {
			return err
		}
		w.add("CopyFrom", append([]any{StageRef(n), srcs[0], dst}, opts...)...)
		return nil
	}
	if j, ok := w.stageNamed(c.from); ok {
		if err := w.before(j, c.from); err != nil {
			return err
		}
		w.add("CopyFrom", append([]any{StageRef(j), srcs[0], dst}, opts...)...)
		return nil
	}
	if looksLikeStageName(c.from) && !c.numbered {
		w.warn("COPY --from=%s: there is no stage %q, so BuildKit copies from the image %q (docker.io/library/%s:latest)", c.from, c.from, c.from, c.from)
	}
	w.add("CopyFromImage", append([]any{c.from, srcs[0], dst}, opts...)...)
	return nil
}

// addCall maps an ADD to Add, AddURL or AddGit, by the kind of its first
// source; the others, of any kind, go to MoreSources. A source that refers
// to variables (given raw, with Expand) is told apart once expanded.
func (w *walker) addCall(srcs []string, dst string, opts []any, expand bool) error {
	kind := "Add"
	kinds := map[SourceKind]bool{}
	templates := false
	for i, s := range srcs {
		if expand && strings.Contains(s, "$") {
			templates = true
			continue
		}
		k, err := KindOf(s)
		kinds[k] = true
		switch {
		case err != nil:
			return &SyntaxError{Line: w.line, Err: err}
		case i > 0:
		case k == GitSource:
			kind = "AddGit"
		case k == URLSource:
			kind = "AddURL"
		}
	}
	if !templates {
		// BuildKit reads --keep-git-dir for git sources only, and
		// --unpack for the others; the API refuses an option that does
		// nothing.
		opts = slices.DeleteFunc(opts, func(o any) bool {
			c, ok := o.(Call)
			switch {
			case ok && c.Func == "KeepGitDir" && !kinds[GitSource]:
				w.warn("ADD --keep-git-dir has no git repository to apply to; BuildKit ignores it, and so does the import")
				return true
			case ok && c.Func == "Unpack" && !kinds[LocalSource] && !kinds[URLSource]:
				w.warn("ADD --unpack does not apply to a git repository; BuildKit ignores it, and so does the import")
				return true
			}
			return false
		})
	}
	w.add(kind, append([]any{srcs[0], dst}, opts...)...)
	return nil
}

// SourceKind is what a COPY or ADD source is.
type SourceKind int

// The kinds of source.
const (
	LocalSource SourceKind = iota // a path of the build context
	URLSource                     // an http(s) URL
	GitSource                     // a git repository
)

// KindOf classifies src as dispatchCopy does: a git reference first, then
// an http(s) URL, else a path of the build context. The error is for a
// source that is a git reference and does not parse as one.
func KindOf(src string) (SourceKind, error) {
	ref, isGit, err := dfgitutil.ParseGitRef(src)
	switch {
	case err != nil && isGit:
		return 0, err
	case err == nil && !ref.IndistinguishableFromLocal:
		return GitSource, nil
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		return URLSource, nil
	}
	return LocalSource, nil
}

// copySource refuses, as dispatchCopy does, a COPY source that is a git
// repository or a URL: only ADD fetches.
func copySource(src string) error {
	switch k, err := KindOf(src); {
	case err != nil:
		return err
	case k == GitSource:
		return errors.New("source can't be a git ref for COPY")
	case k == URLSource:
		return errors.New("source can't be a URL for COPY")
	}
	return nil
}
