package multistage

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/multistage/multistage/internal/compile"
	"github.com/multistage/multistage/internal/ir"
)

// CopyOption configures [Stage.Copy], [Stage.CopyFrom],
// [Stage.CopyFromImage] and [Stage.CopyContent]. The options are named after
// the COPY flags they render. Every CopyOption is also an [AddOption].
type CopyOption interface {
	applyCopy(*copyConfig)
	AddOption
}

// CopyOptions is a bundle of copy options, itself a CopyOption.
type CopyOptions []CopyOption

func (o CopyOptions) applyCopy(c *copyConfig) {
	for _, x := range o {
		if x != nil {
			x.applyCopy(c)
		}
	}
}

func (o CopyOptions) applyAdd(c *copyConfig) { o.applyCopy(c) }

type copyConfig struct {
	cp   *ir.Copy
	errs []error
	// chownSet and symbolic say that cp.Chown comes from Chown and
	// cp.Chmod from ChmodSymbolic, which finishCopy checks.
	chownSet, symbolic bool
}

type copyFunc func(*copyConfig)

func (f copyFunc) applyCopy(c *copyConfig) { f(c) }
func (f copyFunc) applyAdd(c *copyConfig)  { f(c) }

// Chown sets the owner of the copied files, as "user", "user:group",
// "uid" or "uid:gid":
//
//	COPY --chown=app:app . .
//
// The default owner is root (0:0). With [Link], use numeric ids: names
// cannot be looked up in a linked layer.
//
// With [Expand], owner may refer to build args and environment variables,
// as in Chown("${UID}:${GID}").
func Chown(owner string) CopyOption {
	// Checked in finishCopy, which knows whether the copy is expanded.
	return copyFunc(func(c *copyConfig) { c.cp.Chown, c.chownSet = owner, true })
}

// Chmod sets the permission bits of the copied files:
//
//	COPY --chmod=755 entrypoint.sh /
//
// Only the permission, setuid, setgid and sticky bits may be set, either
// as Go spells them (fs.ModeSetuid|0o755) or as Unix does (0o4755).
func Chmod(mode fs.FileMode) CopyOption {
	return copyFunc(func(c *copyConfig) {
		perm := uint32(mode & 0o7777)
		if mode&fs.ModeSetuid != 0 {
			perm |= 04000
		}
		if mode&fs.ModeSetgid != 0 {
			perm |= 02000
		}
		if mode&fs.ModeSticky != 0 {
			perm |= 01000
		}
		if mode&^(0o7777|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky) != 0 {
			c.errs = append(c.errs, fmt.Errorf("%w: chmod %v (%#o): only the permission, setuid, setgid and sticky bits may be set", ErrInvalidValue, mode, uint32(mode)))
			return
		}
		c.cp.Chmod, c.symbolic = fmt.Sprintf("%o", perm), false
	})
}

// Link copies into a layer of its own, independent of the layers below
// ("COPY --link"), so that changing the base image does not invalidate the
// copy. It compiles to a copy onto scratch merged with the stage, as
// BuildKit's Dockerfile frontend does.
//
// As with COPY --link, the directories on the way to the destination are
// part of that layer, created with the copy's owner and mode 0755, and
// the merge puts them over the stage's: a Link copy to /tmp/cache/ leaves
// /tmp mode 0755, and one through a symlink replaces the symlink with a
// directory. On a daemon without MergeOp (Docker Engine 20.10's BuildKit
// v0.8), Link falls back to a plain copy onto the stage, as the frontend
// does there, and those directories stay as they were.
func Link() CopyOption { return copyFunc(func(c *copyConfig) { c.cp.Link = true }) }

// Parents keeps the directory structure of the sources below the
// destination ("COPY --parents"); a "/./" in a source marks where the kept
// part starts.
func Parents() CopyOption { return copyFunc(func(c *copyConfig) { c.cp.Parents = true }) }

// Exclude leaves out the files that match the patterns
// ("COPY --exclude=*.md"). Patterns use .dockerignore syntax.
func Exclude(patterns ...string) CopyOption {
	return copyFunc(func(c *copyConfig) {
		for _, p := range patterns {
			if err := checkFlagWord("exclude pattern", p, ""); err != nil {
				c.errs = append(c.errs, err)
				return
			}
		}
		c.cp.Exclude = append(c.cp.Exclude, patterns...)
	})
}

// Expand makes the sources, the destination, [Chown], [ChmodSymbolic]
// and [Checksum] of a copy subject to expansion of build args and of the
// stage's environment, as in CopyFrom(build, "/out/${TARGETARCH}/app",
// "/app", Expand()). Without it they are literal.
func Expand() CopyOption { return copyFunc(func(c *copyConfig) { c.cp.Expand = true }) }

// ChmodSymbolic sets the permission bits of the copied files with a
// symbolic mode, as chmod(1) takes it, applied to each file's mode:
//
//	COPY --chmod=u+x,go-w run.sh /run.sh
//
// mode is one or more clauses such as "u+x", "go-w" or "a=rX", separated
// by ','. Use [Chmod] for an absolute mode. With [Expand], mode may refer
// to build args and environment variables, as in ChmodSymbolic("${MODE}"),
// and may then expand to an octal mode as well; it is checked once
// expanded, when the build is compiled.
func ChmodSymbolic(mode string) CopyOption {
	return copyFunc(func(c *copyConfig) { c.cp.Chmod, c.symbolic = mode, true }) // checked in finishCopy
}

// MoreContent adds a file given inline to a copy, after its other sources,
// written as a heredoc named name (see [Stage.CopyContent]):
//
//	COPY <<'a.conf' <<'b.conf' /etc/app/
func MoreContent(name, content string) CopyOption {
	return copyFunc(func(c *copyConfig) {
		if err := checkContent(name, content); err != nil {
			c.errs = append(c.errs, err)
			return
		}
		c.cp.Contents = append(c.cp.Contents, ir.Content{Name: name, Data: content})
	})
}

// CopyContent writes content to the file dst, given inline as a heredoc:
//
//	COPY <<'app.conf' /etc/nginx/conf.d/app.conf
//	server { listen 8080; }
//	app.conf
//
// name is the heredoc's delimiter, and the name of the file when dst is a
// directory (ends in '/'): letters, digits, '_', '.' and '-', and no line
// of content may be name. content must be empty or end with a newline; it
// is literal, unless [Expand] is given (the heredoc is then unquoted and
// BuildKit expands variables in it). It compiles to an llb mkfile on
// scratch, copied into the stage, as BuildKit's Dockerfile frontend does;
// the file mode is 0644 unless [Chmod] says otherwise.
func (s *Stage) CopyContent(name, content, dst string, opts ...CopyOption) *Stage {
	return s.copy("COPY", ir.Context(), nil, nil, dst, append([]CopyOption{MoreContent(name, content)}, opts...))
}

// Copy copies files from the build context into the stage:
//
//	COPY *.csproj ./
//
// src is relative to the root of the context and may be a glob
// ("package*.json"); a src that matches nothing copies nothing. A relative
// dst is relative to the working directory; a dst that ends in '/' is a
// directory. Copy compiles to an llb copy file operation from the local
// source named "context", which sends only the paths the build copies.
func (s *Stage) Copy(src, dst string, opts ...CopyOption) *Stage {
	return s.copy("COPY", ir.Context(), nil, []string{src}, dst, opts)
}

// CopyFrom copies files out of another stage:
//
//	COPY --from=build /out/app /usr/local/bin/app
//
// A relative src is relative to the root of that stage. It compiles to an
// llb copy file operation, or to a merge when [Link] is given.
func (s *Stage) CopyFrom(from *Stage, src, dst string, opts ...CopyOption) *Stage {
	if from == nil {
		defer s.lock()()
		return s.fail("COPY", fmt.Errorf("%w: CopyFrom(nil, ...)", ErrInvalidValue))
	}
	if from.build != s.build {
		defer s.lock()()
		return s.fail("COPY", fmt.Errorf("%w: %q", ErrForeignStage, from.name))
	}
	return s.copy("COPY", ir.StageSource(-1), from, []string{src}, dst, opts)
}

// CopyFromImage copies files out of an image:
//
//	COPY --from=nginx:alpine /etc/nginx/nginx.conf /etc/nginx/
//
// As in a Dockerfile, "scratch" is the empty file system: copying "/"
// from it copies nothing, and copying a file from it fails the build.
func (s *Stage) CopyFromImage(ref, src, dst string, opts ...CopyOption) *Stage {
	if err := checkImageRef(ref); err != nil {
		defer s.lock()()
		return s.fail("COPY", err)
	}
	return s.copy("COPY", ir.ImageSource(ref), nil, []string{src}, dst, opts)
}

func (s *Stage) copy(name string, from ir.Source, fromStage *Stage, srcs []string, dst string, opts []CopyOption) *Stage {
	defer s.lock()()
	cp := &ir.Copy{From: from, Sources: srcs, Dest: dst}
	cc := &copyConfig{cp: cp}
	CopyOptions(opts).applyCopy(cc)
	return s.finishCopy(name, cc, fromStage)
}

// finishCopy checks a copy or an add once its options are applied, and
// appends it. The caller holds the lock.
func (s *Stage) finishCopy(name string, cc *copyConfig, fromStage *Stage) *Stage {
	cp := cc.cp
	dst := cp.Dest
	cc.errs = append(cc.errs, checkCopyMore(cp)...)
	check := pathCheck(cp)
	for _, src := range cp.Sources {
		if err := check("source", src); err != nil {
			cc.errs = append(cc.errs, err)
			continue
		}
		if !cp.Add && !(cp.Expand && strings.Contains(src, "$")) {
			// BuildKit tells sources apart before COPY copies them, and
			// refuses to fetch (dispatchCopy).
			switch k, err := addKindOf(src); {
			case err != nil:
				cc.errs = append(cc.errs, err)
			case k == addURL:
				cc.errs = append(cc.errs, valueError(ErrInvalidValue, "source", src, "is a URL, which COPY does not download: use AddURL"))
			case k == addGit:
				cc.errs = append(cc.errs, valueError(ErrInvalidValue, "source", src, "is read by BuildKit as a git repository, which COPY does not fetch: use AddGit"))
			}
		}
	}
	if err := check("destination", dst); err != nil {
		cc.errs = append(cc.errs, err)
	}
	cc.errs = append(cc.errs, checkCopyMode(cc)...)
	if cp.Link && cp.Chown != "" && compile.ChownByName(cp.Chown) && !(cp.Expand && strings.Contains(cp.Chown, "$")) {
		cc.errs = append(cc.errs, fmt.Errorf("%w: --chown=%s with --link: use a numeric uid[:gid]", ErrInvalidValue, cp.Chown))
	}
	if len(cc.errs) > 0 {
		return s.failAll(name, cc.errs)
	}
	return s.add(instr{name: name, ir: cp, from: fromStage})
}

// pathCheck is the check of the paths of a copy: templates when the copy
// expands variables, else literal paths.
func pathCheck(cp *ir.Copy) func(what, p string) error {
	if cp.Expand {
		return checkCopyTemplate
	}
	return checkPath
}

// checkCopyMode checks the owner and the symbolic mode of a copy, which
// may refer to variables when the copy is expanded.
func checkCopyMode(cc *copyConfig) []error {
	cp := cc.cp
	var errs []error
	if cc.chownSet {
		check := checkFlagValue
		if cp.Expand {
			check = checkFlagTemplate
		}
		if err := check("chown", cp.Chown); err != nil {
			errs = append(errs, err)
		}
	}
	if cc.symbolic {
		if cp.Expand && strings.Contains(cp.Chmod, "$") {
			if err := checkModeTemplate(cp.Chmod); err != nil {
				errs = append(errs, err)
			}
		} else if err := checkSymbolicMode(cp.Chmod); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}
