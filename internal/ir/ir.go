// Package ir is the one model of a multi-stage build that both backends read:
// internal/dockerfile renders it as a Dockerfile and internal/compile lowers it
// to BuildKit LLB. Neither backend knows about the other.
//
// The IR is plain data. Strings are literal values as the caller gave them:
// a field is subject to build-arg and environment expansion only where an
// Expand flag says so. Stages refer to other stages by index into
// Build.Stages, and a referenced stage always comes before the stage that
// refers to it. The root package builds valid IR; backends may assume the
// checks in the root package passed.
package ir

import "time"

// Build is a whole multi-stage build, already ordered for output: the last
// stage is the target.
type Build struct {
	// Syntax, when not empty, is written as a "# syntax=" directive.
	Syntax string
	// Args are the build args declared before the first stage.
	Args []Arg
	// Stages in output order; references point backwards only.
	Stages []*Stage
}

// Arg is a build arg declaration.
type Arg struct {
	Name string
	// Default is nil when the arg has no default value.
	Default *string
	// Expand makes the default subject to expansion of earlier args.
	Expand bool
}

// Stage is one FROM and the instructions that follow it.
type Stage struct {
	Name string
	// Base is the stage's base: an image, scratch, or an earlier stage.
	Base Source
	// Platform is the --platform value of FROM; empty for the default. It may
	// reference the automatic platform args, such as $BUILDPLATFORM.
	Platform string
	// Instructions in order.
	Instructions []Instruction
}

// Source is where a stage, a copy or a mount takes its files from. Exactly
// one of its forms is set: Stage >= 0 for an earlier stage, Image for an
// image reference ("scratch" for the empty image), or neither for the build
// context.
type Source struct {
	// Stage is the index of an earlier stage, or -1.
	Stage int
	// Image is an image reference as the caller gave it.
	Image string
	// ExpandImage makes Image subject to build-arg expansion.
	ExpandImage bool
}

// Context is the build context as a Source.
func Context() Source { return Source{Stage: -1} }

// StageSource is an earlier stage as a Source.
func StageSource(i int) Source { return Source{Stage: i} }

// ImageSource is an image as a Source.
func ImageSource(ref string) Source { return Source{Stage: -1, Image: ref} }

// IsContext reports whether the source is the build context.
func (s Source) IsContext() bool { return s.Stage < 0 && s.Image == "" }

// Instruction is one of the instruction types below.
type Instruction interface{ instruction() }

// Workdir sets the working directory and creates it.
type Workdir struct {
	Path   string
	Expand bool
}

// Env sets an environment variable.
type Env struct {
	Key, Value string
	Expand     bool
}

// ArgDecl declares a build arg inside a stage.
type ArgDecl struct{ Arg }

// User sets the user (and optionally group) for later instructions and the image.
type User struct {
	User string
	// Expand makes User subject to expansion.
	Expand bool
}

// Label sets an image label.
type Label struct {
	Key, Value string
	// Expand makes Key and Value subject to expansion.
	Expand bool
}

// EnvGroup sets several environment variables in one ENV instruction: every
// value is expanded against the environment from before the instruction,
// then all are set.
type EnvGroup struct{ Vars []Env }

// SourceNames are the names that the triggers copy or mount from
// (COPY --from, RUN --mount from=): the stage that runs them reads each as
// one of its build's stages, or else as an image, as BuildKit does.
func (ob *OnBuild) SourceNames() []string {
	var out []string
	for _, t := range ob.Triggers {
		switch x := t.(type) {
		case *Copy:
			if x.From.Image != "" {
				out = append(out, x.From.Image)
			}
		case *Run:
			for _, m := range x.Mounts {
				if m.From.Image != "" && m.From.Image != "scratch" {
					out = append(out, m.From.Image)
				}
			}
		}
	}
	return out
}

// LabelGroup sets several labels in one LABEL instruction, as an ONBUILD
// trigger such as LABEL a=1 b=2 does: every key and value is expanded
// against the environment from before the instruction, then all are set.
type LabelGroup struct{ Labels []Label }

// Maintainer sets the image author (the deprecated MAINTAINER).
type Maintainer struct{ Name string }

// OnBuild records an instruction in the image config's OnBuild triggers.
// Expression is the instruction as written in the Dockerfile. Triggers are
// the same instruction as IR (several for one that sets several values,
// such as LABEL a=1 b=2), which a stage that uses this stage as its base
// runs before its own instructions, as BuildKit's frontend does.
type OnBuild struct {
	Expression string
	Triggers   []Instruction
}

// Expose declares a port: Port and Proto, or, with Expand, the ports of
// Spec.
type Expose struct {
	Port  int
	Proto string // "tcp", "udp" or "sctp"
	// Spec, with Expand, is an EXPOSE word: expanded and split into words
	// as the frontend does, each word then read as a port spec such as
	// "8080", "8000-8010/udp" or "53/sctp".
	Spec   string
	Expand bool
}

// Copy copies files into the stage (COPY), or adds them (ADD).
type Copy struct {
	// Add makes the instruction an ADD: local archives are unpacked, and
	// Sources may be URLs or git repositories.
	Add     bool
	From    Source
	Sources []string
	// Contents are heredoc sources, copied after Sources.
	Contents []Content
	Dest     string
	Chown    string
	// Chmod is an octal mode, or a symbolic one such as "u+x".
	Chmod   string
	Link    bool
	Parents bool
	Exclude []string
	// Checksum verifies the one URL or git source of an ADD.
	Checksum string
	// KeepGitDir keeps the .git directory of a git source of an ADD; nil
	// for the default.
	KeepGitDir *bool
	// Unpack says whether an ADD unpacks archives; nil for the default
	// (local archives are unpacked, downloaded ones are not).
	Unpack *bool
	// Expand makes Sources, Dest, Chown and Checksum subject to expansion,
	// and Contents to expansion without quote processing.
	Expand bool
}

// Content is a file given inline, as a heredoc: Name is the heredoc's
// delimiter and the file's name, Data its content.
type Content struct {
	Name, Data string
}

// Run runs a command.
type Run struct {
	// Shell is true for the shell form (Command run by the stage's shell) and
	// false for the exec form (Argv).
	Shell   bool
	Command string
	// Heredoc makes Command a shell-form command written as it is after
	// RUN, whose first line opens here-documents that the following lines
	// hold; BuildKit runs it as its Dockerfile frontend runs such a RUN
	// (see HeredocRun).
	Heredoc  bool
	Argv     []string
	Mounts   []Mount
	Network  string // "", "default", "none" or "host"
	Security string // "", "sandbox" or "insecure"
	// Devices are the CDI devices of RUN --device, in order.
	Devices []Device
	// EscapedEnd: Command ends in a '\' that the builder added to escape
	// the caller's final '\' (see EndsInEscape), which only a POSIX shell
	// reads as that '\'; Compile refuses it under another shell.
	EscapedEnd bool
}

// Device is a CDI device of RUN --device: a fully qualified name such as
// vendor.com/class=name, which the command fails without when Required.
type Device struct {
	Name     string
	Required bool
}

// MountType is the type of a RUN --mount.
type MountType string

// The mount types.
const (
	MountBind   MountType = "bind"
	MountCache  MountType = "cache"
	MountTmpfs  MountType = "tmpfs"
	MountSecret MountType = "secret"
	MountSSH    MountType = "ssh"
)

// Mount is a RUN --mount.
type Mount struct {
	Type   MountType
	Target string
	// From is the source of bind and cache mounts; the context when unset.
	From   Source
	Source string
	// ReadWrite makes a bind mount writable (its changes are discarded).
	ReadWrite bool
	// ReadOnly makes a cache mount read-only.
	ReadOnly bool
	// ID is the cache, secret or ssh id.
	ID string
	// Sharing is "shared", "private" or "locked" for cache mounts.
	Sharing  string
	UID, GID *uint32
	Mode     *uint32
	Required bool
	// Env exposes a secret as an environment variable instead of a file.
	Env string
	// Size limits a tmpfs mount, in bytes; 0 for no limit.
	Size int64
	// Expand makes Target, ID and Source subject to expansion.
	Expand bool
	// Vars are options given as words that refer to variables, written
	// after the other options: each is expanded and then read as the value
	// of its option, as the frontend reads --mount, which overrides the
	// field above that holds it.
	Vars []MountVar
}

// MountVar is a --mount option whose value is expanded: Key is one of
// uid, gid, mode, sharing, size, required, readonly and readwrite (and
// their aliases ro and rw) and env.
type MountVar struct{ Key, Word string }

// MountVarApplies reports whether the option key of a MountVar applies to
// a mount of type t, as BuildKit's frontend has it.
func MountVarApplies(t MountType, key string) bool {
	switch key {
	case "uid", "gid", "mode":
		return t == MountCache || t == MountSecret || t == MountSSH
	case "sharing":
		return t == MountCache
	case "size":
		return t == MountTmpfs
	case "required":
		return t == MountSecret || t == MountSSH
	case "readonly", "ro", "readwrite", "rw":
		return t == MountBind || t == MountCache
	case "env":
		return t == MountSecret
	}
	return false
}

// Entrypoint sets the image entrypoint in exec form, or in shell form when
// Shell is set (Argv is then the one command). An empty exec form,
// ENTRYPOINT [], clears the entrypoint.
type Entrypoint struct {
	Argv  []string
	Shell bool
}

// Cmd sets the image default command in exec form, or in shell form when
// Shell is set (Argv is then the one command). An empty exec form, CMD [],
// clears the command.
type Cmd struct {
	Argv  []string
	Shell bool
}

// Healthcheck sets the image healthcheck.
type Healthcheck struct {
	// None disables a healthcheck inherited from the base image.
	None bool
	// Shell is true when Test[0] is a command for the shell (CMD-SHELL).
	Shell         bool
	Test          []string
	Interval      time.Duration
	Timeout       time.Duration
	StartPeriod   time.Duration
	StartInterval time.Duration
	Retries       int
}

// StopSignal sets the signal that stops the container.
type StopSignal struct {
	Signal string
	// Expand makes Signal subject to expansion.
	Expand bool
}

// Volume declares volumes.
type Volume struct {
	Paths []string
	// Expand makes each path subject to expansion.
	Expand bool
}

// Shell sets the shell used by later shell-form instructions.
type Shell struct{ Argv []string }

func (*Workdir) instruction()     {}
func (*Env) instruction()         {}
func (*ArgDecl) instruction()     {}
func (*User) instruction()        {}
func (*Label) instruction()       {}
func (*Expose) instruction()      {}
func (*Copy) instruction()        {}
func (*Run) instruction()         {}
func (*Entrypoint) instruction()  {}
func (*Cmd) instruction()         {}
func (*Healthcheck) instruction() {}
func (*StopSignal) instruction()  {}
func (*Volume) instruction()      {}
func (*Shell) instruction()       {}
func (*EnvGroup) instruction()    {}
func (*Maintainer) instruction()  {}
func (*LabelGroup) instruction()  {}
func (*OnBuild) instruction()     {}
