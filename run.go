package multistage

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/multistage/multistage/internal/ir"
)

// RunOption configures [Stage.Run] and [Stage.RunExec]: mounts, network and
// security mode. The options are named after the RUN flags they render.
type RunOption interface{ applyRun(*runConfig) }

// RunOptions is a bundle of run options, itself a RunOption, so a preset can
// export several mounts as one value.
type RunOptions []RunOption

func (o RunOptions) applyRun(c *runConfig) {
	for _, x := range o {
		if x != nil {
			x.applyRun(c)
		}
	}
}

func flattenRun(opts []RunOption) []RunOption { return []RunOption{RunOptions(opts)} }

type runConfig struct {
	run       *ir.Run
	mountFrom []*Stage
	errs      []error
}

type runFunc func(*runConfig)

func (f runFunc) applyRun(c *runConfig) { f(c) }

// MountOption configures a mount of [CacheMount], [SecretMount], [SSHMount],
// [BindMount] or [TmpfsMount]. An option that does not apply to the mount
// type is reported with [ErrInvalidValue].
type MountOption interface{ applyMount(*mountConfig) }

type mountConfig struct {
	m     ir.Mount
	from  *Stage
	errs  []error
	owned bool // UID, GID or Mode set
	// dollar are the values whose only problem is a '$', which
	// [MountExpand] allows: what and value.
	dollar [][2]string
}

// checkValue checks a value written in the --mount flag, leaving a '$' for
// the end, when it is known whether the mount has [MountExpand].
func (c *mountConfig) checkValue(what, v string) bool {
	err := checkFlagValue(what, v)
	if err == nil {
		return true
	}
	if strings.Contains(v, "$") && checkFlagWord(what, v, ",=`") == nil {
		c.dollar = append(c.dollar, [2]string{what, v})
		return true
	}
	c.errs = append(c.errs, err)
	return false
}

type mountFunc func(*mountConfig)

func (f mountFunc) applyMount(c *mountConfig) { f(c) }

func (c *mountConfig) only(option string, types ...ir.MountType) bool {
	for _, t := range types {
		if c.m.Type == t {
			return true
		}
	}
	c.errs = append(c.errs, fmt.Errorf("%w: %s does not apply to a %s mount", ErrInvalidValue, option, c.m.Type))
	return false
}

func mount(m ir.Mount, opts []MountOption, check func(*mountConfig)) RunOption {
	return runFunc(func(rc *runConfig) {
		mc := &mountConfig{m: m}
		for _, o := range opts {
			if o != nil {
				o.applyMount(mc)
			}
		}
		if check != nil {
			check(mc)
		}
		if mc.m.Target != "" {
			// A '$' without MountExpand is refused below, once.
			literalDollar := !mc.m.Expand && strings.Contains(mc.m.Target, "$")
			if mc.checkValue("mount target", mc.m.Target) && !literalDollar && mc.m.Type != ir.MountSecret && mc.m.Type != ir.MountSSH {
				if err := checkMountTarget(mc.m.Target); err != nil {
					mc.errs = append(mc.errs, err)
				}
			}
		}
		if !mc.m.Expand {
			for _, d := range mc.dollar {
				mc.errs = append(mc.errs, checkFlagValue(d[0], d[1]))
			}
		}
		if len(mc.errs) > 0 {
			rc.errs = append(rc.errs, mc.errs...)
			return
		}
		rc.run.Mounts = append(rc.run.Mounts, mc.m)
		rc.mountFrom = append(rc.mountFrom, mc.from)
	})
}

// CacheMount mounts a persistent cache directory at target for the command,
// kept between builds and shared by every build on the same BuildKit:
//
//	RUN --mount=type=cache,target=/root/.cache/go-build go build ./...
//
// The cache id defaults to the target path; sharing defaults to "shared".
// Options: [MountID], [Sharing], [ReadOnly], [MountFrom], [MountSource],
// [UID], [GID], [Mode].
func CacheMount(target string, opts ...MountOption) RunOption {
	return mount(ir.Mount{Type: ir.MountCache, Target: target, From: ir.Source{Stage: -1}}, opts, requireTarget)
}

// SecretMount makes the build secret id available to the command, as the
// file /run/secrets/<id> unless [MountTarget] or [SecretEnv] says
// otherwise; the secret is never stored in a layer or in the image:
//
//	RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
//
// A missing secret is skipped unless [Required] is given. With [UID], [GID]
// or [Mode] the file gets that owner and mode; the default mode is 0400.
func SecretMount(id string, opts ...MountOption) RunOption {
	return mount(ir.Mount{Type: ir.MountSecret, ID: id, From: ir.Source{Stage: -1}}, opts, func(c *mountConfig) {
		c.checkValue("secret id", c.m.ID)
	})
}

// SSHMount forwards the client's SSH agent (the ssh id "default" unless
// [MountID] says otherwise) to the command, as a socket at [MountTarget] or
// the default path, with SSH_AUTH_SOCK set:
//
//	RUN --mount=type=ssh git clone git@example.com:org/repo.git
//
// A missing agent is skipped unless [Required] is given.
func SSHMount(opts ...MountOption) RunOption {
	return mount(ir.Mount{Type: ir.MountSSH, From: ir.Source{Stage: -1}}, opts, nil)
}

// BindMount mounts files read-only at target for the command, from the
// build context unless [MountFrom] or [MountFromImage] names a stage or an
// image; [MountSource] selects a path in it:
//
//	RUN --mount=type=bind,source=go.sum,target=go.sum go mod download
//
// [ReadWrite] lets the command write to it; the writes are discarded.
func BindMount(target string, opts ...MountOption) RunOption {
	return mount(ir.Mount{Type: ir.MountBind, Target: target, From: ir.Source{Stage: -1}}, opts, requireTarget)
}

// TmpfsMount mounts an empty tmpfs at target for the command, limited to
// [Size] bytes when given:
//
//	RUN --mount=type=tmpfs,target=/tmp make test
func TmpfsMount(target string, opts ...MountOption) RunOption {
	return mount(ir.Mount{Type: ir.MountTmpfs, Target: target, From: ir.Source{Stage: -1}}, opts, requireTarget)
}

func requireTarget(c *mountConfig) {
	if c.m.Target == "" {
		c.errs = append(c.errs, fmt.Errorf("%w: a %s mount needs a target", ErrInvalidValue, c.m.Type))
	}
}

// MountExpand makes the target, id and source of a mount subject to
// expansion of build args and of the stage's environment, as BuildKit
// expands the values of a --mount flag:
//
//	RUN --mount=type=cache,target=/root/.cache,id=cache-${TARGETARCH} make
//
// is Run("make", CacheMount("/root/.cache", MountID("cache-${TARGETARCH}"),
// MountExpand())). Without it a '$' in them is refused.
func MountExpand() MountOption {
	return mountFunc(func(c *mountConfig) { c.m.Expand = true })
}

// MountOptionExpand sets the --mount option key to word, which may refer to
// build args and environment variables; BuildKit expands it and then reads
// it as that option's value:
//
//	RUN --mount=type=cache,target=/home/app/.cache,uid=${UID} make
//
// is Run("make", CacheMount("/home/app/.cache", MountOptionExpand("uid", "${UID}"))).
// key is uid, gid or mode (cache, secret and ssh mounts), sharing (cache),
// size (tmpfs), required (secret and ssh), readonly or readwrite (bind and
// cache; also spelled ro and rw) or env (secret). The expanded value is
// checked when the build is compiled, and takes the place of the typed
// option for the same key ([UID], [Sharing], [Size], ...). Use
// [MountExpand] for the target, id and source.
func MountOptionExpand(key, word string) MountOption {
	return mountFunc(func(c *mountConfig) {
		if !ir.MountVarApplies(c.m.Type, key) {
			c.errs = append(c.errs, fmt.Errorf("%w: mount option %q does not apply to a %s mount", ErrInvalidValue, key, c.m.Type))
			return
		}
		if err := checkFlagTemplate("mount "+key, word); err != nil {
			c.errs = append(c.errs, err)
			return
		}
		c.m.Vars = append(c.m.Vars, ir.MountVar{Key: key, Word: word})
	})
}

// MountTarget sets where a secret file or an SSH agent socket is mounted.
func MountTarget(path string) MountOption {
	return mountFunc(func(c *mountConfig) {
		if c.only("MountTarget", ir.MountSecret, ir.MountSSH) {
			c.m.Target = path
			if path == "" {
				c.errs = append(c.errs, fmt.Errorf("%w: empty mount target", ErrInvalidValue))
			}
		}
	})
}

// MountID sets the id of a cache or SSH mount. Cache mounts with the same
// id share their contents.
func MountID(id string) MountOption {
	return mountFunc(func(c *mountConfig) {
		if c.only("MountID", ir.MountCache, ir.MountSSH) && c.checkValue("mount id", id) {
			c.m.ID = id
		}
	})
}

// Sharing sets how concurrent builds share a cache mount: "shared" (the
// default), "private" (a new cache when it is in use) or "locked" (wait).
func Sharing(mode string) MountOption {
	return mountFunc(func(c *mountConfig) {
		if !c.only("Sharing", ir.MountCache) {
			return
		}
		switch mode {
		case "shared", "private", "locked":
			c.m.Sharing = mode
		default:
			c.errs = append(c.errs, fmt.Errorf("%w: sharing %q: want shared, private or locked", ErrInvalidValue, mode))
		}
	})
}

// ReadOnly makes a cache mount read-only.
func ReadOnly() MountOption {
	return mountFunc(func(c *mountConfig) {
		if c.only("ReadOnly", ir.MountCache) {
			c.m.ReadOnly = true
		}
	})
}

// ReadWrite makes a bind mount writable; what the command writes there is
// discarded.
func ReadWrite() MountOption {
	return mountFunc(func(c *mountConfig) {
		if c.only("ReadWrite", ir.MountBind) {
			c.m.ReadWrite = true
		}
	})
}

// MountFrom makes a bind or cache mount take its files from a stage.
func MountFrom(s *Stage) MountOption {
	return mountFunc(func(c *mountConfig) {
		if !c.only("MountFrom", ir.MountBind, ir.MountCache) {
			return
		}
		if s == nil {
			c.errs = append(c.errs, fmt.Errorf("%w: MountFrom(nil)", ErrInvalidValue))
			return
		}
		c.from = s
		c.m.From = ir.StageSource(-1)
	})
}

// MountFromImage makes a bind or cache mount take its files from an image.
func MountFromImage(ref string) MountOption {
	return mountFunc(func(c *mountConfig) {
		if !c.only("MountFromImage", ir.MountBind, ir.MountCache) {
			return
		}
		if err := checkImageRef(ref); err != nil {
			c.errs = append(c.errs, err)
			return
		}
		if err := checkFlagValue("mount from", ref); err != nil {
			c.errs = append(c.errs, err)
			return
		}
		c.m.From = ir.ImageSource(ref)
	})
}

// MountSource selects the path of the mount's source (the context, a stage
// or an image) to mount; the default is its root.
func MountSource(path string) MountOption {
	return mountFunc(func(c *mountConfig) {
		if !c.only("MountSource", ir.MountBind, ir.MountCache) {
			return
		}
		if c.checkValue("mount source", path) {
			c.m.Source = path
		}
	})
}

// UID sets the owner of a cache mount's root, or of a secret file or SSH
// socket.
func UID(uid uint32) MountOption {
	return mountFunc(func(c *mountConfig) {
		if c.only("UID", ir.MountCache, ir.MountSecret, ir.MountSSH) {
			c.m.UID = &uid
		}
	})
}

// GID sets the group of a cache mount's root, or of a secret file or SSH
// socket.
func GID(gid uint32) MountOption {
	return mountFunc(func(c *mountConfig) {
		if c.only("GID", ir.MountCache, ir.MountSecret, ir.MountSSH) {
			c.m.GID = &gid
		}
	})
}

// Mode sets the mode of a cache mount's root (default 0755), a secret file
// (default 0400) or an SSH socket (default 0600): the permission bits and
// the setuid, setgid and sticky bits, given as Go's [fs.ModeSetuid],
// [fs.ModeSetgid] and [fs.ModeSticky] or as the octal 04000, 02000 and
// 01000, as BuildKit keeps them (mode=1777). Any other bit is reported with
// [ErrInvalidValue].
func Mode(mode fs.FileMode) MountOption {
	return mountFunc(func(c *mountConfig) {
		if !c.only("Mode", ir.MountCache, ir.MountSecret, ir.MountSSH) {
			return
		}
		m, ok := unixMode(mode)
		if !ok {
			c.errs = append(c.errs, fmt.Errorf("%w: mount mode %v (%#o): only permission, setuid, setgid and sticky bits", ErrInvalidValue, mode, uint32(mode)))
			return
		}
		c.m.Mode = &m
	})
}

// unixMode returns mode as the Unix mode bits BuildKit reads from mode=
// (permissions, and 07000 for setuid, setgid and sticky), from either
// Go's flags or the octal bits; false for any other bit.
func unixMode(mode fs.FileMode) (uint32, bool) {
	special := map[fs.FileMode]uint32{fs.ModeSetuid: 0o4000, fs.ModeSetgid: 0o2000, fs.ModeSticky: 0o1000}
	m := uint32(mode) & 0o7777
	rest := mode &^ 0o7777
	for flag, bit := range special {
		if rest&flag != 0 {
			m |= bit
			rest &^= flag
		}
	}
	return m, rest == 0
}

// Required makes a secret or SSH mount fail the build when the client does
// not provide it, and a [Device] fail the command when the daemon has no
// such device.
func Required() RequiredOption { return required{} }

// RequiredOption is the option [Required], which applies to mounts and to
// devices alike.
type RequiredOption interface {
	MountOption
	DeviceOption
}

type required struct{}

func (required) applyMount(c *mountConfig) {
	if c.only("Required", ir.MountSecret, ir.MountSSH) {
		c.m.Required = true
	}
}

func (required) applyDevice(d *ir.Device) { d.Required = true }

// DeviceOption configures a [Device]: [Required].
type DeviceOption interface{ applyDevice(*ir.Device) }

// Device gives the command the CDI device name, a fully qualified name
// such as "vendor.com/gpu=all", when the daemon has it; with [Required]
// the command fails without it:
//
//	RUN --device=vendor.com/gpu=all,required nvidia-smi
//
// The name is written inside the flag: printable ASCII without white space,
// quotes, '\' or ','. It compiles to an llb CDI device of the exec op; a
// daemon without CDI support refuses it, and with [WithLLBCaps] Compile
// says so first.
func Device(name string, opts ...DeviceOption) RunOption {
	return runFunc(func(c *runConfig) {
		if err := checkFlagWord("device", name, ","); err != nil {
			c.errs = append(c.errs, err)
			return
		}
		d := ir.Device{Name: name}
		for _, o := range opts {
			if o != nil {
				o.applyDevice(&d)
			}
		}
		c.run.Devices = append(c.run.Devices, d)
	})
}

// SecretEnv exposes a secret as the environment variable name instead of a
// file.
func SecretEnv(name string) MountOption {
	return mountFunc(func(c *mountConfig) {
		if !c.only("SecretEnv", ir.MountSecret) {
			return
		}
		if err := checkEnvKey("secret env", name); err != nil {
			c.errs = append(c.errs, err)
			return
		}
		c.m.Env = name
	})
}

// Size limits a tmpfs mount to n bytes.
func Size(n int64) MountOption {
	return mountFunc(func(c *mountConfig) {
		if !c.only("Size", ir.MountTmpfs) {
			return
		}
		// BuildKit reads the size as a float64: beyond 2^53 it would
		// read another number.
		if n <= 0 || n > 1<<53 {
			c.errs = append(c.errs, fmt.Errorf("%w: tmpfs size %d is outside 1-2^53", ErrInvalidValue, n))
			return
		}
		c.m.Size = n
	})
}

// Network sets the network of the command: "default", "none" (no network
// at all, for steps that must be provably offline) or "host" (needs the
// network.host entitlement):
//
//	RUN --network=none make test
func Network(mode string) RunOption {
	return runFunc(func(c *runConfig) {
		switch mode {
		case "default", "none", "host":
			c.run.Network = mode
		default:
			c.errs = append(c.errs, fmt.Errorf("%w: network %q: want default, none or host", ErrInvalidValue, mode))
		}
	})
}

// Security sets the security mode of the command: "sandbox" (the default)
// or "insecure" (privileged; needs the security.insecure entitlement).
func Security(mode string) RunOption {
	return runFunc(func(c *runConfig) {
		switch mode {
		case "sandbox", "insecure":
			c.run.Security = mode
		default:
			c.errs = append(c.errs, fmt.Errorf("%w: security %q: want sandbox or insecure", ErrInvalidValue, mode))
		}
	})
}
