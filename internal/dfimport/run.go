package dfimport

import (
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/multistage/multistage/internal/ir"
	"github.com/tonistiigi/go-csvvalue"
)

var knownRunFlags = map[string]bool{"mount": true, "network": true, "security": true, "device": true}

func (w *walker) run(c *instructions.RunCommand) error {
	for _, f := range c.FlagsUsed {
		if !knownRunFlags[f] {
			return w.unsupported("RUN --%s has no API", f)
		}
	}
	// Parse the mounts as the frontend does, with an expander that keeps a
	// value that refers to variables as it is: the target, id and source
	// of a mount may be templates (MountExpand). The expander is called
	// once per key=value field, in order, so the keys of the raw --mount
	// flags tell which option each value is for: a value of a typed option
	// (uid=${UID}) is replaced by a placeholder that the frontend parses,
	// and goes to MountOptionExpand.
	templates := map[string]bool{}
	fields, err := mountFields(w.mountFlags[w.line])
	if err != nil {
		return &SyntaxError{Line: w.line, Err: err}
	}
	vars := make([][]any, len(fields)) // MountOptionExpand calls, by mount
	varKeys := make([]map[string]bool, len(fields))
	mi, fi := 0, 0
	var refErr error
	if err := c.Expand(func(word string) (string, error) {
		for mi < len(fields) && fi >= len(fields[mi]) {
			mi, fi = mi+1, 0
		}
		key := ""
		if mi < len(fields) {
			key = fields[mi][fi]
			fi++
		}
		v, used, err := w.word(word)
		if err != nil {
			return "", err
		}
		if !used && strings.Contains(v, "$") && !strings.ContainsAny(word, "\\\"'") {
			// A '$' the lexer keeps ("a$"): as a template, it expands to
			// itself.
			used = true
		}
		if placeholder, ok := mountVarPlaceholder[key]; used && ok {
			raw, err := w.template("--mount value", word)
			if err != nil && refErr == nil {
				refErr = err
			}
			vars[mi] = append(vars[mi], opt("MountOptionExpand", key, raw))
			if varKeys[mi] == nil {
				varKeys[mi] = map[string]bool{}
			}
			varKeys[mi][key] = true
			return placeholder, nil
		}
		if used {
			raw, err := w.template("--mount value", word)
			if err != nil && refErr == nil {
				refErr = err
			}
			templates[raw] = true
			return raw, nil
		}
		if strings.Contains(v, "$") && refErr == nil {
			refErr = w.unsupported("--mount value %q is a literal '$', which the API cannot write", word)
		}
		return v, nil
	}); err != nil {
		if refErr != nil {
			return refErr
		}
		if len(templates) > 0 {
			return w.unsupported("--mount refers to a variable in its type")
		}
		return &SyntaxError{Line: w.line, Err: err}
	}
	if refErr != nil {
		return refErr
	}
	var opts []any
	for i, m := range instructions.GetMounts(c) {
		expand := templates[m.Target] || templates[m.CacheID] || templates[m.Source]
		if m.From != "" && templates[m.From] || templates[string(m.Type)] {
			return w.unsupported("--mount refers to a variable in its type or from")
		}
		var keys map[string]bool
		if i < len(varKeys) {
			keys = varKeys[i]
		}
		o, err := w.mount(m, keys)
		if err != nil {
			return err
		}
		if expand {
			o.Args = append(o.Args, opt("MountExpand"))
		}
		if i < len(vars) {
			o.Args = append(o.Args, vars[i]...)
		}
		opts = append(opts, o)
	}
	for _, f := range c.FlagsUsed {
		switch f {
		case "network":
			opts = append(opts, opt("Network", string(instructions.GetNetwork(c))))
		case "security":
			opts = append(opts, opt("Security", instructions.GetSecurity(c)))
		}
	}
	for _, d := range instructions.GetDevices(c) {
		if d.Name == "" {
			return w.unsupported("RUN --device without a device name")
		}
		args := []any{d.Name}
		if d.Required {
			args = append(args, opt("Required"))
		}
		opts = append(opts, opt("Device", args...))
	}

	if !c.PrependShell {
		if len(c.CmdLine) == 0 {
			return w.unsupported("an empty RUN [] has no command")
		}
		w.add("RunExec", append([]any{append([]string(nil), c.CmdLine...)}, opts...)...)
		return nil
	}
	if len(c.CmdLine) == 0 {
		return w.unsupported("an empty RUN has no API: BuildKit runs the shell with an empty script, and Run needs a command")
	}
	if len(c.CmdLine) != 1 {
		return w.unsupported("unexpected shell command %q", c.CmdLine)
	}
	cmd := c.CmdLine[0]
	if len(c.Files) > 0 {
		var b strings.Builder
		b.WriteString(cmd)
		for _, f := range c.Files {
			b.WriteByte('\n')
			b.WriteString(f.Data)
			b.WriteString(f.Name)
		}
		whole := b.String()
		if w.escape != '\\' && strings.ContainsAny(whole, `\`+string(w.escape)) {
			return w.unsupported("a RUN with here-documents and escapes under \"# escape=%c\" has no API", w.escape)
		}
		h := parser.MustParseHeredoc(cmd)
		if len(c.Files) != 1 || h == nil {
			w.add("RunHeredoc", append([]any{whole}, opts...)...)
			return nil
		}
		data := c.Files[0].Data
		if c.Files[0].Chomp {
			data = parser.ChompHeredocContent(data)
		}
		script, ok := strings.CutSuffix(data, "\n")
		if strings.HasPrefix(data, "#!") || !ok || strings.TrimSpace(script) == "" || !needsHeredoc(script) || ir.EndsInEscape(script) {
			// Run would not write it as this heredoc: keep it as it is.
			w.add("RunHeredoc", append([]any{whole}, opts...)...)
			return nil
		}
		cmd = script
	} else if needsHeredoc(cmd) {
		return w.unsupported("the command %q cannot be written on a RUN line by the renderer", cmd)
	}
	w.add("Run", append([]any{cmd}, opts...)...)
	return nil
}

// needsHeredoc is the rule by which Run writes a command as a heredoc.
var needsHeredoc = ir.ScriptNeedsHeredoc

// mountVarPlaceholder is, for each --mount option that MountOptionExpand
// takes, a value that the frontend parses for it: it stands for a value
// that refers to variables while the mount is parsed, and is dropped.
var mountVarPlaceholder = map[string]string{
	"uid": "0", "gid": "0", "mode": "0", "size": "0", "sharing": "shared",
	"required": "false", "readonly": "true", "ro": "true", "readwrite": "false", "rw": "false", "env": "PLACEHOLDER",
}

// mountFields returns, for each --mount flag, the keys of its key=value
// fields in order: the fields whose values the frontend expands.
func mountFields(flags []string) ([][]string, error) {
	var out [][]string
	for _, f := range flags {
		fields, err := csvvalue.Fields(f, nil)
		if err != nil {
			return nil, err
		}
		var keys []string
		for _, field := range fields {
			if k, _, ok := strings.Cut(field, "="); ok {
				keys = append(keys, strings.ToLower(k))
			}
		}
		out = append(out, keys)
	}
	return out, nil
}

// mount maps a parsed mount to its option; the options in vars come from
// MountOptionExpand instead.
func (w *walker) mount(m *instructions.Mount, vars map[string]bool) (Call, error) {
	var opts []any
	has := func(keys ...string) bool {
		for _, k := range keys {
			if vars[k] {
				return true
			}
		}
		return false
	}
	mode := func() {
		if m.UID != nil && !has("uid") {
			opts = append(opts, opt("UID", uint32(*m.UID)))
		}
		if m.GID != nil && !has("gid") {
			opts = append(opts, opt("GID", uint32(*m.GID)))
		}
		if m.Mode != nil && !has("mode") {
			if *m.Mode <= 0o7777 {
				// Permissions, setuid, setgid and sticky, which Mode
				// takes as octal bits.
				opts = append(opts, opt("Mode", fs.FileMode(*m.Mode)))
			} else {
				// BuildKit takes any 32-bit number: Mode takes no
				// such mode, MountOptionExpand passes it on as it is.
				opts = append(opts, opt("MountOptionExpand", "mode", strconv.FormatUint(*m.Mode, 8)))
			}
		}
	}
	from := func() error {
		if m.From == "" {
			return nil
		}
		if j, ok := w.stageNamed(m.From); ok {
			if err := w.before(j, m.From); err != nil {
				return err
			}
			opts = append(opts, opt("MountFrom", StageRef(j)))
			return nil
		}
		if _, err := strconv.Atoi(m.From); err == nil {
			// A mount looks stages up by name only (detectRunMount).
			w.warn("RUN --mount from=%s: a mount does not take a stage index, so BuildKit mounts the image %q (docker.io/library/%s:latest); name the stage", m.From, m.From, m.From)
		} else if looksLikeStageName(m.From) {
			w.warn("RUN --mount from=%s: there is no stage %q, so BuildKit mounts the image %q", m.From, m.From, m.From)
		}
		opts = append(opts, opt("MountFromImage", m.From))
		return nil
	}
	target := m.Target
	if target == "" {
		// BuildKit joins a bind, cache or tmpfs target to the working
		// directory (dispatchRunMounts), so no target is the working
		// directory itself, which "." says.
		target = "."
	}
	switch m.Type {
	case instructions.MountTypeCache:
		if m.CacheID != "" {
			opts = append(opts, opt("MountID", m.CacheID))
		}
		if m.CacheSharing != "" && m.CacheSharing != instructions.MountSharingShared && !has("sharing") {
			opts = append(opts, opt("Sharing", string(m.CacheSharing)))
		}
		if m.ReadOnly && !has("readonly", "ro", "readwrite", "rw") {
			opts = append(opts, opt("ReadOnly"))
		}
		if err := from(); err != nil {
			return Call{}, err
		}
		if m.Source != "" {
			opts = append(opts, opt("MountSource", m.Source))
		}
		mode()
		return opt("CacheMount", append([]any{target}, opts...)...), nil
	case instructions.MountTypeBind:
		if !m.ReadOnly && !has("readonly", "ro", "readwrite", "rw") {
			opts = append(opts, opt("ReadWrite"))
		}
		if err := from(); err != nil {
			return Call{}, err
		}
		if m.Source != "" {
			opts = append(opts, opt("MountSource", m.Source))
		}
		return opt("BindMount", append([]any{target}, opts...)...), nil
	case instructions.MountTypeTmpfs:
		if m.ReadOnly || m.From != "" || m.Source != "" || m.CacheID != "" {
			return Call{}, w.unsupported("tmpfs mount options other than size have no API")
		}
		if m.SizeLimit > 0 && !has("size") {
			opts = append(opts, opt("Size", m.SizeLimit))
		}
		return opt("TmpfsMount", append([]any{target}, opts...)...), nil
	case instructions.MountTypeSecret:
		id := m.CacheID
		if m.Source != "" {
			id = m.Source
		}
		if id == "" {
			id = path.Base(m.Target)
		}
		if m.Target != "" {
			opts = append(opts, opt("MountTarget", m.Target))
		}
		if m.Env != nil && !has("env") {
			if *m.Env == "" {
				return Call{}, w.unsupported("secret mount with an empty env=")
			}
			opts = append(opts, opt("SecretEnv", *m.Env))
		}
		if m.Required && !has("required") {
			opts = append(opts, opt("Required"))
		}
		mode()
		return opt("SecretMount", append([]any{id}, opts...)...), nil
	case instructions.MountTypeSSH:
		if m.Source != "" || m.From != "" {
			return Call{}, w.unsupported("ssh mount with source or from")
		}
		if m.CacheID != "" {
			opts = append(opts, opt("MountID", m.CacheID))
		}
		if m.Target != "" {
			opts = append(opts, opt("MountTarget", m.Target))
		}
		if m.Required && !has("required") {
			opts = append(opts, opt("Required"))
		}
		mode()
		return opt("SSHMount", opts...), nil
	}
	return Call{}, w.unsupported("mount type %q", m.Type)
}
