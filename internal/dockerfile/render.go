// Package dockerfile renders the IR of a multi-stage build as a Dockerfile
// that BuildKit's Dockerfile frontend reads back exactly: every value the IR
// holds comes back from BuildKit's parser and shell lexer unchanged, or
// Render fails. It knows nothing of the LLB compiler.
package dockerfile

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/multistage/multistage/internal/ir"
)

// ErrUnsafe is wrapped by every error about a value that cannot be written
// so that BuildKit reads back the same value.
var ErrUnsafe = errors.New("value cannot be rendered safely")

// Error is a problem with one instruction.
type Error struct {
	Stage       string
	Index       int // -1 for FROM
	Instruction string
	Err         error
}

func (e *Error) Error() string {
	return fmt.Sprintf("stage %q: instruction %d (%s): %v", e.Stage, e.Index+1, e.Instruction, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Render renders m as a Dockerfile. The output is canonical: the same IR
// gives the same bytes.
func Render(m *ir.Build) ([]byte, error) {
	var b bytes.Buffer
	var errs []error
	if m.Syntax != "" {
		if err := checkFlag(m.Syntax); err != nil {
			errs = append(errs, fmt.Errorf("syntax directive: %w", err))
		}
		fmt.Fprintf(&b, "# syntax=%s\n", m.Syntax)
	}
	for _, a := range m.Args {
		line, err := argLine(a)
		if err != nil {
			errs = append(errs, fmt.Errorf("ARG before the first stage: %w", err))
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if len(m.Args) > 0 {
		b.WriteByte('\n')
	}
	for i, st := range m.Stages {
		if i > 0 {
			b.WriteByte('\n')
		}
		r := &stageRenderer{m: m, st: st, b: &b}
		r.render()
		errs = append(errs, r.errs...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return b.Bytes(), nil
}

type stageRenderer struct {
	m    *ir.Build
	st   *ir.Stage
	b    *bytes.Buffer
	errs []error
}

func (r *stageRenderer) fail(i int, name string, err error) {
	r.errs = append(r.errs, &Error{Stage: r.st.Name, Index: i, Instruction: name, Err: err})
}

func (r *stageRenderer) render() {
	st := r.st
	var line strings.Builder
	line.WriteString("FROM ")
	if st.Platform != "" {
		if err := checkFlag(st.Platform); err != nil {
			r.fail(-1, "FROM", err)
		}
		line.WriteString("--platform=" + st.Platform + " ")
	}
	base, err := r.sourceName(st.Base)
	if err != nil {
		r.fail(-1, "FROM", err)
	}
	line.WriteString(base)
	line.WriteString(" AS ")
	line.WriteString(st.Name)
	r.b.WriteString(line.String())
	r.b.WriteByte('\n')
	for i, in := range st.Instructions {
		s, name, err := r.instruction(in)
		if err != nil {
			r.fail(i, name, err)
			continue
		}
		r.b.WriteString(s)
		r.b.WriteByte('\n')
	}
}

// sourceName is how FROM and --from name a source.
func (r *stageRenderer) sourceName(src ir.Source) (string, error) {
	if src.Stage >= 0 {
		if src.Stage >= len(r.m.Stages) {
			return "", fmt.Errorf("%w: stage index %d out of range", ErrUnsafe, src.Stage)
		}
		return r.m.Stages[src.Stage].Name, nil
	}
	if src.Image == "" {
		return "", fmt.Errorf("%w: empty image reference", ErrUnsafe)
	}
	if err := checkFlag(src.Image); err != nil {
		return "", err
	}
	if !src.ExpandImage && strings.Contains(src.Image, "$") {
		return "", fmt.Errorf("%w: image reference %q contains '$'", ErrUnsafe, src.Image)
	}
	return src.Image, nil
}

func (r *stageRenderer) instruction(in ir.Instruction) (string, string, error) {
	switch x := in.(type) {
	case *ir.Workdir:
		w, err := word(x.Path, x.Expand)
		return "WORKDIR " + w, "WORKDIR", err
	case *ir.Env:
		v, err := value(x.Value, x.Expand)
		if err == nil {
			err = checkKey(x.Key)
		}
		return "ENV " + x.Key + "=" + v, "ENV", err
	case *ir.ArgDecl:
		s, err := argLine(x.Arg)
		return s, "ARG", err
	case *ir.User:
		w, err := word(x.User, false)
		return "USER " + w, "USER", err
	case *ir.Label:
		v, err := value(x.Value, false)
		if err == nil {
			err = checkLabelKey(x.Key)
		}
		return "LABEL " + x.Key + "=" + v, "LABEL", err
	case *ir.Expose:
		if x.Port < 1 || x.Port > 65535 || (x.Proto != "tcp" && x.Proto != "udp") {
			return "", "EXPOSE", fmt.Errorf("%w: port %d/%s", ErrUnsafe, x.Port, x.Proto)
		}
		s := "EXPOSE " + strconv.Itoa(x.Port)
		if x.Proto == "udp" {
			s += "/udp"
		}
		return s, "EXPOSE", nil
	case *ir.Copy:
		s, err := r.copy(x)
		return s, "COPY", err
	case *ir.Run:
		s, err := r.run(x)
		return s, "RUN", err
	case *ir.Entrypoint:
		s, err := execForm(x.Argv)
		return "ENTRYPOINT " + s, "ENTRYPOINT", err
	case *ir.Cmd:
		s, err := execForm(x.Argv)
		return "CMD " + s, "CMD", err
	case *ir.Shell:
		s, err := execForm(x.Argv)
		return "SHELL " + s, "SHELL", err
	case *ir.StopSignal:
		w, err := word(x.Signal, false)
		return "STOPSIGNAL " + w, "STOPSIGNAL", err
	case *ir.Volume:
		words := make([]string, len(x.Paths))
		for i, p := range x.Paths {
			w, err := escapeWord(p, false)
			if err != nil {
				return "", "VOLUME", err
			}
			words[i] = w
		}
		s, err := jsonArray(words)
		return "VOLUME " + s, "VOLUME", err
	case *ir.Healthcheck:
		s, err := healthcheck(x)
		return s, "HEALTHCHECK", err
	}
	return "", fmt.Sprintf("%T", in), fmt.Errorf("%w: unknown instruction %T", ErrUnsafe, in)
}

func argLine(a ir.Arg) (string, error) {
	if err := checkKey(a.Name); err != nil {
		return "", err
	}
	if a.Default == nil {
		return "ARG " + a.Name, nil
	}
	v, err := value(*a.Default, a.Expand)
	return "ARG " + a.Name + "=" + v, err
}

func (r *stageRenderer) copy(cp *ir.Copy) (string, error) {
	var flags []string
	if !cp.From.IsContext() {
		from, err := r.sourceName(cp.From)
		if err != nil {
			return "", err
		}
		flags = append(flags, "--from="+from)
	}
	if cp.Chown != "" {
		if err := checkFlag(cp.Chown); err != nil {
			return "", err
		}
		flags = append(flags, "--chown="+cp.Chown)
	}
	if cp.Chmod != "" {
		if _, err := strconv.ParseUint(cp.Chmod, 8, 32); err != nil {
			return "", fmt.Errorf("%w: chmod %q", ErrUnsafe, cp.Chmod)
		}
		flags = append(flags, "--chmod="+cp.Chmod)
	}
	if cp.Link {
		flags = append(flags, "--link")
	}
	if cp.Parents {
		flags = append(flags, "--parents")
	}
	for _, p := range cp.Exclude {
		if err := checkFlag(p); err != nil {
			return "", err
		}
		flags = append(flags, "--exclude="+p)
	}
	paths := append(append([]string(nil), cp.Sources...), cp.Dest)
	words, err := pathList(paths, cp.Expand)
	if err != nil {
		return "", err
	}
	return joinLine("COPY", flags, words), nil
}

// pathList renders the paths of a COPY: bare words when they are all
// plain, otherwise a JSON array, whose strings BuildKit still passes
// through its shell lexer.
func pathList(paths []string, expand bool) (string, error) {
	plain := true
	escaped := make([]string, len(paths))
	for i, p := range paths {
		if p == "" {
			return "", fmt.Errorf("%w: empty path", ErrUnsafe)
		}
		w, err := escapeWord(p, expand)
		if err != nil {
			return "", err
		}
		escaped[i] = w
		if !plainPath(p, expand) {
			plain = false
		}
	}
	if plain {
		return strings.Join(paths, " "), nil
	}
	return jsonArray(escaped)
}

func joinLine(cmd string, flags []string, rest string) string {
	parts := append([]string{cmd}, flags...)
	return strings.Join(append(parts, rest), " ")
}

func (r *stageRenderer) run(x *ir.Run) (string, error) {
	var flags []string
	for _, m := range x.Mounts {
		f, err := r.mount(m)
		if err != nil {
			return "", err
		}
		flags = append(flags, "--mount="+f)
	}
	switch x.Network {
	case "":
	case "default", "none", "host":
		flags = append(flags, "--network="+x.Network)
	default:
		return "", fmt.Errorf("%w: network %q", ErrUnsafe, x.Network)
	}
	switch x.Security {
	case "":
	case "sandbox", "insecure":
		flags = append(flags, "--security="+x.Security)
	default:
		return "", fmt.Errorf("%w: security %q", ErrUnsafe, x.Security)
	}
	if !x.Shell {
		s, err := execForm(x.Argv)
		return joinLine("RUN", flags, s), err
	}
	cmd := x.Command
	if err := checkScript(cmd); err != nil {
		return "", err
	}
	if !ir.ScriptNeedsHeredoc(cmd) {
		return joinLine("RUN", flags, cmd), nil
	}
	if strings.HasPrefix(cmd, "#!") {
		// BuildKit runs a heredoc that starts with #! as a script file,
		// not with the stage's shell.
		return "", fmt.Errorf("%w: a multi-line command may not start with #!", ErrUnsafe)
	}
	delim := heredocDelimiter(cmd)
	return joinLine("RUN", flags, "<<'"+delim+"'") + "\n" + cmd + "\n" + delim, nil
}

// heredocDelimiter picks a delimiter that appears nowhere in the script.
func heredocDelimiter(script string) string {
	d := "EOF"
	for i := 1; strings.Contains(script, d); i++ {
		d = "EOF" + strconv.Itoa(i)
	}
	return d
}

func (r *stageRenderer) mount(m ir.Mount) (string, error) {
	fields := []string{"type=" + string(m.Type)}
	add := func(k, v string) error {
		if err := checkFlag(v); err != nil {
			return err
		}
		fields = append(fields, k+"="+v)
		return nil
	}
	var err error
	switch m.Type {
	case ir.MountBind, ir.MountCache, ir.MountTmpfs:
		if err = add("target", m.Target); err != nil {
			return "", err
		}
	case ir.MountSecret, ir.MountSSH:
		if m.ID != "" {
			if err = add("id", m.ID); err != nil {
				return "", err
			}
		}
		if m.Target != "" {
			if err = add("target", m.Target); err != nil {
				return "", err
			}
		}
	default:
		return "", fmt.Errorf("%w: mount type %q", ErrUnsafe, m.Type)
	}
	if m.Type == ir.MountCache && m.ID != "" {
		if err = add("id", m.ID); err != nil {
			return "", err
		}
	}
	if m.Type == ir.MountCache && m.Sharing != "" {
		if err = add("sharing", m.Sharing); err != nil {
			return "", err
		}
	}
	if m.Type == ir.MountBind || m.Type == ir.MountCache {
		if !m.From.IsContext() {
			from, err := r.sourceName(m.From)
			if err != nil {
				return "", err
			}
			if err = add("from", from); err != nil {
				return "", err
			}
		}
		if m.Source != "" {
			if err = add("source", m.Source); err != nil {
				return "", err
			}
		}
	}
	if m.Type == ir.MountBind && m.ReadWrite {
		fields = append(fields, "rw")
	}
	if m.Type == ir.MountCache && m.ReadOnly {
		fields = append(fields, "ro")
	}
	if m.Type == ir.MountSecret && m.Env != "" {
		if err = checkKey(m.Env); err != nil {
			return "", err
		}
		fields = append(fields, "env="+m.Env)
	}
	if (m.Type == ir.MountSecret || m.Type == ir.MountSSH) && m.Required {
		fields = append(fields, "required")
	}
	if m.UID != nil {
		fields = append(fields, "uid="+strconv.FormatUint(uint64(*m.UID), 10))
	}
	if m.GID != nil {
		fields = append(fields, "gid="+strconv.FormatUint(uint64(*m.GID), 10))
	}
	if m.Mode != nil {
		fields = append(fields, "mode="+fmt.Sprintf("%04o", *m.Mode))
	}
	if m.Type == ir.MountTmpfs && m.Size > 0 {
		fields = append(fields, "size="+strconv.FormatInt(m.Size, 10))
	}
	return strings.Join(fields, ","), nil
}

func healthcheck(h *ir.Healthcheck) (string, error) {
	if h.None {
		return "HEALTHCHECK NONE", nil
	}
	var flags []string
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"interval", h.Interval}, {"timeout", h.Timeout}, {"start-period", h.StartPeriod}, {"start-interval", h.StartInterval}} {
		if d.v < 0 || (d.v > 0 && d.v < time.Millisecond) {
			return "", fmt.Errorf("%w: healthcheck %s %v", ErrUnsafe, d.name, d.v)
		}
		if d.v > 0 {
			flags = append(flags, "--"+d.name+"="+d.v.String())
		}
	}
	if h.Retries < 0 {
		return "", fmt.Errorf("%w: healthcheck retries %d", ErrUnsafe, h.Retries)
	}
	if h.Retries > 0 {
		flags = append(flags, "--retries="+strconv.Itoa(h.Retries))
	}
	if h.Shell {
		if len(h.Test) != 1 {
			return "", fmt.Errorf("%w: shell healthcheck needs one command", ErrUnsafe)
		}
		cmd := h.Test[0]
		if err := checkScript(cmd); err != nil {
			return "", err
		}
		if strings.ContainsAny(cmd, "\n") || strings.TrimSpace(cmd) != cmd || strings.HasPrefix(cmd, "[") || strings.HasSuffix(cmd, "\\") {
			return "", fmt.Errorf("%w: shell healthcheck %q must be one line, without leading or trailing spaces, not start with '[' nor end with '\\'", ErrUnsafe, cmd)
		}
		return joinLine("HEALTHCHECK", flags, "CMD "+cmd), nil
	}
	s, err := execForm(h.Test)
	return joinLine("HEALTHCHECK", flags, "CMD "+s), err
}
