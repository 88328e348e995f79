package compile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/docker/go-units"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/system"
	"github.com/multistage/multistage/internal/ir"
)

// run mirrors dispatchRun and dispatchRunMounts.
func (c *compiler) run(ctx context.Context, s *stageState, i int, r *ir.Run) error {
	var args []string
	var heredocMount llb.RunOption
	switch {
	case r.Shell && r.Heredoc:
		hr, err := ir.ParseHeredocRun(r.Command)
		if err != nil {
			return err
		}
		if hr.Single && s.image.OS != "windows" && strings.HasPrefix(hr.Data, "#!") {
			// A script file, written to /dev/pipes and run.
			st := llb.Scratch().Dir("/").File(llb.Mkfile(hr.Name, 0755, []byte(hr.Data)), llb.Platform(*s.platform))
			heredocMount = llb.AddMount("/dev/pipes/", st, llb.SourcePath("/"), llb.Readonly)
			args = withShell(s.image, []string{path.Join("/dev/pipes/", hr.Name)})
		} else {
			args = withShell(s.image, []string{hr.Script})
		}
	case r.Shell:
		if sh := withShell(s.image, nil); r.EscapedEnd && !ir.POSIXShell(sh[:len(sh)-1]) {
			return fmt.Errorf("the command ends in a '\\', which only a POSIX shell reads the same escaped, and the shell is %q", sh[:len(sh)-1])
		}
		script := r.Command
		if ir.ScriptNeedsHeredoc(script) {
			if strings.HasPrefix(script, "#!") {
				return fmt.Errorf("a multi-line script may not start with #!")
			}
			script += "\n"
		}
		args = withShell(s.image, []string{script})
	default:
		args = slices.Clone(r.Argv)
	}
	if err := c.runCaps(r); err != nil {
		return err
	}
	var opts []llb.RunOption
	if heredocMount != nil {
		opts = append(opts, heredocMount)
	}
	opts = append(opts, llb.Args(args))
	if c.proxy != nil {
		opts = append(opts, llb.WithProxy(*c.proxy))
	}
	for k, m := range r.Mounts {
		o, err := c.mount(ctx, s, m, [2]int{i, k})
		if err != nil {
			return err
		}
		opts = append(opts, o)
	}
	if r.Security == "insecure" {
		opts = append(opts, llb.Security(pb.SecurityMode_INSECURE))
	} else {
		opts = append(opts, llb.Security(pb.SecurityMode_SANDBOX))
	}
	switch r.Network {
	case "none":
		opts = append(opts, llb.Network(pb.NetMode_NONE))
	case "host":
		opts = append(opts, llb.Network(pb.NetMode_HOST))
	}
	if len(r.Devices) > 0 {
		// The frontend drops devices for a daemon without CDI; Compile
		// refuses, as it does for every capability the daemon lacks.
		if err := c.need("RUN --device", pb.CapExecMetaCDI); err != nil {
			return err
		}
		for _, d := range r.Devices {
			dopts := []llb.CDIDeviceOption{llb.CDIDeviceName(d.Name)}
			if !d.Required {
				dopts = append(dopts, llb.CDIDeviceOptional)
			}
			opts = append(opts, llb.AddCDIDevice(dopts...))
		}
	}
	var env shell.EnvGetter
	if len(s.buildArgs) > 0 {
		// Only the history line needs the environment: skip evaluating it.
		var err error
		if env, err = stateEnv(ctx, s); err != nil {
			return err
		}
	}
	s.state = s.state.Run(opts...).Root()
	c.history(s, "RUN "+runCommandString(args, s.buildArgs, env)+" # buildkit", true)
	return nil
}

func (c *compiler) mount(ctx context.Context, s *stageState, m ir.Mount, key [2]int) (llb.RunOption, error) {
	if m.Expand {
		for _, f := range []*string{&m.Target, &m.ID, &m.Source} {
			v, err := c.expand(ctx, s, *f)
			if err != nil {
				return nil, err
			}
			*f = v
		}
	}
	for _, mv := range m.Vars {
		v, err := c.expand(ctx, s, mv.Word)
		if err != nil {
			return nil, err
		}
		if err := setMountVar(&m, mv.Key, v); err != nil {
			return nil, err
		}
	}
	switch m.Type {
	case ir.MountSecret:
		// env= that expands to "" still asks for an environment
		// variable: the frontend keeps "set but empty" apart from unset.
		envSet := m.Env != "" || slices.ContainsFunc(m.Vars, func(mv ir.MountVar) bool { return mv.Key == "env" })
		if err := c.need("RUN --mount=type=secret", pb.CapExecMountSecret); err != nil {
			return nil, err
		}
		if envSet {
			if err := c.need("RUN --mount=type=secret,env=", pb.CapExecSecretEnv); err != nil {
				return nil, err
			}
		}
		return secretMount(m, envSet, s.platform.OS == "windows")
	case ir.MountSSH:
		if err := c.need("RUN --mount=type=ssh", pb.CapExecMountSSH); err != nil {
			return nil, err
		}
		return sshMount(m), nil
	}
	from := m.From
	if m.Type == ir.MountCache && from.IsContext() {
		from = ir.ImageSource("scratch")
	}
	st, err := c.source(ctx, s, from, key)
	if err != nil {
		return nil, err
	}
	var mopts []llb.MountOption
	if err := c.mountCaps(m); err != nil {
		return nil, err
	}
	if m.Type == ir.MountTmpfs {
		st = llb.Scratch()
		mopts = append(mopts, llb.Tmpfs(llb.TmpfsSize(m.Size)))
	}
	readOnly := (m.Type == ir.MountBind && !m.ReadWrite) || (m.Type == ir.MountCache && m.ReadOnly)
	if readOnly {
		mopts = append(mopts, llb.Readonly)
	} else if m.Type == ir.MountBind && c.supports(pb.CapExecMountBindReadWriteNoOutput) {
		// An older daemon keeps the output of a read-write bind mount
		// (dispatchRunMounts).
		mopts = append(mopts, llb.ForceNoOutput)
	}
	if m.Type == ir.MountCache {
		sharing := llb.CacheMountShared
		switch m.Sharing {
		case "private":
			sharing = llb.CacheMountPrivate
		case "locked":
			sharing = llb.CacheMountLocked
		}
		id := m.ID
		if id == "" {
			id = path.Clean(m.Target)
		}
		// BUILDKIT_CACHE_MOUNT_NS prefixes every cache id (dockerui).
		mopts = append(mopts, llb.AsPersistentCacheDir(c.opt.BuildArgs["BUILDKIT_CACHE_MOUNT_NS"]+"/"+id, sharing))
	}
	target := m.Target
	if !system.IsAbsolutePath(filepath.Clean(target)) {
		target = filepath.Join("/", s.dir(), target)
	}
	if target == "/" {
		return nil, fmt.Errorf("invalid mount target %q", target)
	}
	if src := path.Join("/", m.Source); src != "/" {
		mopts = append(mopts, llb.SourcePath(src))
	} else if m.UID != nil || m.GID != nil || m.Mode != nil {
		uid, gid, mode := 0, 0, os.FileMode(0755)
		if m.UID != nil {
			uid = int(*m.UID)
		}
		if m.GID != nil {
			gid = int(*m.GID)
		}
		if m.Mode != nil {
			mode = os.FileMode(*m.Mode)
		}
		st = st.File(llb.Mkdir("/cache", mode, llb.WithUIDGID(uid, gid)))
		mopts = append(mopts, llb.SourcePath("/cache"))
	}
	// The frontend mounts a cache without from= on scratch, not on the
	// context, so it adds no context path.
	if m.From.IsContext() && m.Type != ir.MountCache {
		c.ctxPaths[path.Join("/", filepath.ToSlash(m.Source))] = struct{}{}
	}
	return llb.AddMount(target, st, mopts...), nil
}

// secretMount mirrors the mount parser's check of secret mounts and
// dispatchSecret.
func secretMount(m ir.Mount, envSet, windows bool) (llb.RunOption, error) {
	targetPath := m.Target
	if windows {
		targetPath = system.ToSlash(targetPath, "windows")
	}
	id := m.ID
	if id == "" {
		if targetPath == "" {
			return nil, errors.New("invalid secret mount. one of source, target required")
		}
		id = path.Base(targetPath)
	}
	if windows && targetPath != "" && !system.IsAbs(targetPath, "windows") {
		return nil, fmt.Errorf("secret target %q must be an absolute path with forward slashes on Windows, e.g. --mount=type=secret,id=%s,target=C:/path/to/secret", targetPath, id)
	}
	var target *string
	if targetPath != "" {
		target = &targetPath
	}
	if !envSet {
		dest := targetPath
		if dest == "" {
			if windows {
				return nil, fmt.Errorf("secret target is required on Windows, e.g. --mount=type=secret,id=%s,target=C:/path/to/secret", id)
			}
			dest = "/run/secrets/" + path.Base(id)
		}
		target = &dest
	}
	opts := []llb.SecretOption{llb.SecretID(id)}
	if !m.Required {
		opts = append(opts, llb.SecretOptional)
	}
	if envSet {
		opts = append(opts, llb.SecretAsEnvName(m.Env))
	}
	if m.UID != nil || m.GID != nil || m.Mode != nil {
		uid, gid, mode := 0, 0, 0400
		if m.UID != nil {
			uid = int(*m.UID)
		}
		if m.GID != nil {
			gid = int(*m.GID)
		}
		if m.Mode != nil {
			mode = int(*m.Mode)
		}
		opts = append(opts, llb.SecretFileOpt(uid, gid, mode))
	}
	return llb.AddSecretWithDest(id, target, opts...), nil
}

// sshMount mirrors dispatchSSH.
func sshMount(m ir.Mount) llb.RunOption {
	opts := []llb.SSHOption{llb.SSHID(m.ID)}
	if m.Target != "" {
		opts = append(opts, llb.SSHSocketTarget(m.Target))
	}
	if !m.Required {
		opts = append(opts, llb.SSHOptional)
	}
	if m.UID != nil || m.GID != nil || m.Mode != nil {
		uid, gid, mode := 0, 0, 0600
		if m.UID != nil {
			uid = int(*m.UID)
		}
		if m.GID != nil {
			gid = int(*m.GID)
		}
		if m.Mode != nil {
			mode = int(*m.Mode)
		}
		opts = append(opts, llb.SSHSocketOpt(m.Target, uid, gid, mode))
	}
	return llb.AddSSHSocket(opts...)
}

// runCommandString mirrors the frontend's history line of a RUN.
func runCommandString(args []string, buildArgs []ir.Arg, env shell.EnvGetter) string {
	var tmp []string
	idx := map[string]int{}
	for _, a := range buildArgs {
		v, ok := env.Get(a.Name)
		if !ok {
			v = ""
			if a.Default != nil {
				v = *a.Default
			}
		}
		if j, ok := idx[a.Name]; ok {
			tmp[j] = a.Name + "=" + v
		} else {
			idx[a.Name] = len(tmp)
			tmp = append(tmp, a.Name+"="+v)
		}
	}
	if len(tmp) > 0 {
		tmp = append([]string{fmt.Sprintf("|%d", len(tmp))}, tmp...)
	}
	return strings.Join(append(tmp, args...), " ")
}

// setMountVar sets the option key of m to the expanded value v, read as
// the frontend reads --mount values (instructions.parseMount).
func setMountVar(m *ir.Mount, key, v string) error {
	invalid := func() error { return fmt.Errorf("invalid value %s for %s", v, key) }
	parseBool := func() (bool, error) {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, invalid()
		}
		return b, nil
	}
	switch key {
	case "uid", "gid":
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return invalid()
		}
		id := uint32(n)
		if key == "uid" {
			m.UID = &id
		} else {
			m.GID = &id
		}
	case "mode":
		n, err := strconv.ParseUint(v, 8, 32)
		if err != nil {
			return invalid()
		}
		mode := uint32(n)
		m.Mode = &mode
	case "size":
		n, err := units.RAMInBytes(v)
		if err != nil {
			return invalid()
		}
		m.Size = n
	case "sharing":
		switch sh := strings.ToLower(v); sh {
		case "shared", "private", "locked":
			m.Sharing = sh
		default:
			return fmt.Errorf("unsupported sharing value %q", v)
		}
	case "required":
		b, err := parseBool()
		if err != nil {
			return err
		}
		m.Required = b
	case "readonly", "ro", "readwrite", "rw":
		b, err := parseBool()
		if err != nil {
			return err
		}
		readOnly := b == (key == "readonly" || key == "ro")
		m.ReadOnly, m.ReadWrite = readOnly && m.Type == ir.MountCache, !readOnly && m.Type == ir.MountBind
	case "env":
		m.Env = v
	default:
		return fmt.Errorf("unexpected mount option %q", key)
	}
	return nil
}
