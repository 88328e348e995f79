package compile

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/dfgitutil"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/system"
	"github.com/multistage/multistage/internal/ir"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	mode "github.com/tonistiigi/dchapes-mode"
)

// copy mirrors dispatchCopy for COPY from the context, a stage or an
// image, for heredoc contents, and for ADD of local files (which unpacks
// archives), URLs and git repositories.
func (c *compiler) copy(ctx context.Context, s *stageState, i int, cp *ir.Copy) error {
	srcs := cp.Sources
	dst := cp.Dest
	chown, chmod, checksum := cp.Chown, cp.Chmod, cp.Checksum
	contents := cp.Contents
	if cp.Expand {
		srcs = make([]string, len(cp.Sources))
		for k, src := range cp.Sources {
			v, err := c.expand(ctx, s, src)
			if err != nil {
				return err
			}
			srcs[k] = v
		}
		var err error
		if dst, err = c.expand(ctx, s, dst); err != nil {
			return err
		}
		for _, f := range []*string{&checksum, &chown, &chmod} {
			if *f, err = c.expand(ctx, s, *f); err != nil {
				return err
			}
		}
		if len(contents) > 0 {
			// Heredoc contents are expanded without quote processing
			// (ExpandRaw).
			env, err := stateEnv(ctx, s)
			if err != nil {
				return err
			}
			lex := shell.NewLex('\\')
			lex.SkipProcessQuotes = true
			contents = slices.Clone(contents)
			for k := range contents {
				v, err := c.processWord(lex, contents[k].Data, env)
				if err != nil {
					return err
				}
				contents[k].Data = v
			}
		}
	}
	platform := *s.platform
	dest, err := pathRelativeToWorkingDir(s.dir(), dst, platform)
	if err != nil {
		return err
	}
	var copyOpt []llb.CopyOption
	if chown != "" {
		// Checked once expanded, as the frontend does (dispatchCopy).
		if cp.Link && ChownByName(chown) {
			return fmt.Errorf("--chown=%s: user and group names can't be resolved when used with --link, use numeric uid[:gid] instead", chown)
		}
		copyOpt = append(copyOpt, llb.WithUser(chown))
	}
	var chopt *llb.ChmodOpt
	if chmod != "" {
		chopt = &llb.ChmodOpt{}
		p, err := strconv.ParseUint(chmod, 8, 32)
		switch {
		case err == nil && p > 0o7777:
			return fmt.Errorf("invalid chmod parameter: '%v'. it should be octal string and between 0 and 07777", chmod)
		case err == nil:
			chopt.Mode = os.FileMode(p)
		default:
			if _, err := mode.Parse(chmod); err != nil {
				return fmt.Errorf("invalid chmod parameter: '%v': %w", chmod, err)
			}
			chopt.ModeStr = chmod
		}
	}
	if checksum != "" {
		switch {
		case !cp.Add:
			return fmt.Errorf("checksum can't be specified for COPY")
		case len(srcs) != 1:
			return fmt.Errorf("checksum can't be specified for multiple sources")
		case !isHTTPSource(srcs[0]) && !isGitSource(srcs[0]):
			return fmt.Errorf("checksum requires HTTP(S) or Git sources")
		}
	}
	from, err := c.source(ctx, s, cp.From, [2]int{i, -1})
	if err != nil {
		return err
	}
	msg := "COPY"
	if cp.Add {
		msg = "ADD"
	}
	if cp.Parents {
		msg += " --parents"
	}
	if chown != "" {
		msg += " --chown=" + chown
	}
	if chmod != "" {
		msg += " --chmod=" + chmod
	}
	what := "COPY"
	if cp.Add {
		what = "ADD"
	}
	var a *llb.FileAction
	add := func(st llb.State, src, dest string, info *llb.CopyInfo, exclude []string) error {
		if len(exclude) > 0 {
			info.ExcludePatterns = exclude
		}
		if err := c.copyCaps(what, info); err != nil {
			return err
		}
		opts := append([]llb.CopyOption{info}, copyOpt...)
		if a == nil {
			a = llb.Copy(st, src, dest, opts...)
		} else {
			a = a.Copy(st, src, dest, opts...)
		}
		return nil
	}
	keepGitDir := cp.KeepGitDir
	filtered := make([]bool, len(srcs)) // read from a filtered context
	for k, src := range srcs {
		msg += " " + src
		gitRef, isGit, gitRefErr := parseGitRef(src)
		if gitRefErr != nil && isGit {
			return gitRefErr
		}
		if gitRefErr == nil && !gitRef.IndistinguishableFromLocal {
			if !cp.Add {
				return fmt.Errorf("source can't be a git ref for COPY")
			}
			gitOptions := []llb.GitOption{llb.GitRef(gitRef.Ref)}
			if keepGitDir != nil && gitRef.KeepGitDir != nil && *keepGitDir != *gitRef.KeepGitDir {
				return fmt.Errorf("inconsistent keep-git-dir configuration")
			}
			if gitRef.KeepGitDir != nil {
				keepGitDir = gitRef.KeepGitDir
			}
			if keepGitDir != nil && *keepGitDir {
				gitOptions = append(gitOptions, llb.KeepGitDir())
			}
			if checksum != "" && gitRef.Checksum != "" && checksum != gitRef.Checksum {
				return fmt.Errorf("checksum mismatch %q != %q", checksum, gitRef.Checksum)
			}
			if gitRef.Checksum != "" {
				checksum = gitRef.Checksum
			}
			if checksum != "" {
				gitOptions = append(gitOptions, llb.GitChecksum(checksum))
			}
			if gitRef.SubDir != "" {
				gitOptions = append(gitOptions, llb.GitSubDir(gitRef.SubDir))
			}
			if gitRef.Submodules != nil && !*gitRef.Submodules {
				gitOptions = append(gitOptions, llb.GitSkipSubmodules())
			}
			if gitRef.FetchByCommit {
				gitOptions = append(gitOptions, llb.GitFetchByCommit())
			}
			git := llb.Git(gitRef.Remote, "", gitOptions...)
			if err := c.sourceCaps(ctx, what+" of a git repository", git); err != nil {
				return err
			}
			if gitRef.SubDir != "" {
				// llb asks for no capability, but an older daemon reads
				// the subdirectory as part of the ref.
				if err := c.need(what+" of a subdirectory of a git repository", pb.CapSourceGitSubdir); err != nil {
					return err
				}
			}
			if err := add(git, "/", dest, &llb.CopyInfo{Mode: chopt, CreateDestPath: true}, cp.Exclude); err != nil {
				return err
			}
			continue
		}
		if isHTTPSource(src) {
			if !cp.Add {
				return fmt.Errorf("source can't be a URL for COPY")
			}
			// Remote archives are not unpacked.
			f := "__unnamed__"
			if u, err := url.Parse(src); err == nil {
				if base := path.Base(u.Path); base != "." && base != "/" {
					f = base
				}
			}
			unpack := false
			if cp.Unpack != nil {
				unpack = *cp.Unpack
			}
			var dgst digest.Digest
			if checksum != "" {
				if dgst, err = digest.Parse(checksum); err != nil {
					return err
				}
			}
			http := llb.HTTP(src, llb.Filename(f), llb.Checksum(dgst))
			if err := c.sourceCaps(ctx, what+" of a URL", http); err != nil {
				return err
			}
			if err := add(http, f, dest, &llb.CopyInfo{Mode: chopt, CreateDestPath: true, AttemptUnpack: unpack}, cp.Exclude); err != nil {
				return err
			}
			continue
		}
		var patterns, requiredPaths []string
		if cp.Parents {
			parent, pattern, ok := strings.Cut(src, "/./")
			if !ok {
				pattern = src
				src = "/"
			} else {
				src = parent
			}
			pattern, err = system.NormalizePath("/", pattern, platform.OS, false)
			if err != nil {
				return err
			}
			patterns = []string{strings.TrimPrefix(pattern, "/")}
			if !containsWildcards(src) && !containsWildcards(pattern) {
				requiredPaths = []string{filepath.Join(src, pattern)}
			}
		}
		src, err = system.NormalizePath("/", src, platform.OS, false)
		if err != nil {
			return err
		}
		for j, rp := range requiredPaths {
			if requiredPaths[j], err = system.NormalizePath("/", rp, platform.OS, false); err != nil {
				return err
			}
		}
		unpack := cp.Add
		if cp.Unpack != nil {
			unpack = *cp.Unpack
		}
		info := &llb.CopyInfo{
			Mode:                chopt,
			FollowSymlinks:      true,
			CopyDirContentsOnly: true,
			IncludePatterns:     patterns,
			RequiredPaths:       requiredPaths,
			AttemptUnpack:       unpack,
			CreateDestPath:      true,
			AllowWildcard:       true,
			AllowEmptyWildcard:  true,
		}
		// A daemon whose copies cannot filter (BuildKit before v0.9) or
		// require paths (before v0.26) gets a copy of the whole context
		// with --exclude or --parents as a copy of a filtered context.
		filter := (len(cp.Exclude) > 0 || len(patterns) > 0) && !c.supports(pb.CapFileCopyIncludeExcludePatterns) ||
			len(requiredPaths) > 0 && !c.supports(pb.CapFileCopyRequiredPaths)
		if filter && cp.From.IsContext() {
			if inc, exc, ok := c.filterPatterns(src, patterns, cp.Exclude); ok {
				if err := c.copyFilteredContext(src, info, inc, exc, dest, add); err != nil {
					return err
				}
				filtered[k] = true
				continue
			}
		}
		if err := add(from, src, dest, info, cp.Exclude); err != nil {
			return err
		}
	}
	for _, content := range contents {
		msg += " <<" + content.Name
		f, err := system.CheckSystemDriveAndRemoveDriveLetter(content.Name, platform.OS, false)
		if err != nil {
			return fmt.Errorf("removing drive letter: %w", err)
		}
		st := llb.Scratch().File(llb.Mkfile(f, 0644, []byte(content.Data)), llb.Platform(platform))
		if err := add(st, system.ToSlash(f, platform.OS), dest, &llb.CopyInfo{Mode: chopt, CreateDestPath: true}, cp.Exclude); err != nil {
			return err
		}
	}
	msg += " " + dst
	// Without MergeOp a linked copy is a plain copy (dispatchCopy).
	if cp.Link && chmod == "" && c.supports(pb.CapMergeOp) {
		s.state = s.state.WithOutput(llb.Merge([]llb.State{s.state, llb.Scratch().File(a, llb.Platform(platform))}).Output())
	} else {
		s.state = s.state.File(a)
	}
	// The paths the build uses of the context (ADD records the paths of
	// git sources too, as the frontend does).
	for k, src := range srcs {
		switch {
		case filtered[k]:
		case cp.Add && !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://"),
			!cp.Add && cp.From.IsContext():
			c.ctxPaths[path.Join("/", filepath.ToSlash(src))] = struct{}{}
		}
	}
	c.history(s, msg+" # buildkit", true)
	return nil
}

// copyFilteredContext adds the copy of the directory src of the build
// context described by info, whose include, exclude and required paths
// the daemon cannot apply, as a copy from a context that the local source
// filters instead, by include and exclude (the patterns of info as
// patterns of the context, see filterPatterns): the same files, with the
// same parent directories, reach dest. A required path (COPY --parents of
// a path without wildcards) is then copied once more by itself, which
// fails as the copy would when it is missing.
func (c *compiler) copyFilteredContext(src string, info *llb.CopyInfo, include, exclude []string, dest string, add func(st llb.State, src, dest string, info *llb.CopyInfo, exclude []string) error) error {
	var more []llb.LocalOption
	if src != "/" && len(include) == 0 {
		// Only src is sent, as the frontend's context would send only
		// the paths the build uses. The follow paths of a local source
		// are include patterns too, so include patterns, all below src,
		// need none.
		more = append(more, llb.FollowPaths([]string{strings.TrimPrefix(src, "/")}))
	}
	st := c.context(include, exclude, more...)
	required := info.RequiredPaths
	all := *info
	all.IncludePatterns, all.RequiredPaths = nil, nil
	if err := add(st, src, dest, &all, nil); err != nil {
		return err
	}
	for _, rp := range required {
		one := all
		// The copy of the directory unpacked no archive, so neither does
		// the copy of a file of it.
		one.AllowWildcard, one.AllowEmptyWildcard, one.AttemptUnpack = false, false, false
		rel := strings.TrimPrefix(strings.TrimPrefix(rp, src), "/")
		if err := add(st, rp, path.Join(dest, rel), &one, nil); err != nil {
			return err
		}
	}
	return nil
}

func isHTTPSource(src string) bool {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		return false
	}
	return !isGitSource(src)
}

func isGitSource(src string) bool {
	gitRef, isGit, _ := parseGitRef(src)
	return gitRef != nil && isGit
}

// parseGitRef is dfgitutil.ParseGitRef, without its URL parsing and
// regular expressions for the common case of a plain path: a git ref has a
// scheme or an scp-style host, both with a ':', or starts with github.com/.
func parseGitRef(src string) (*dfgitutil.GitRef, bool, error) {
	if !strings.Contains(src, ":") && !strings.HasPrefix(src, "github.com/") {
		return nil, false, errNotGit
	}
	return dfgitutil.ParseGitRef(src)
}

// errNotGit stands for the error ParseGitRef returns for a plain path; only
// its being non-nil matters.
var errNotGit = errors.New("not a git reference")

func containsWildcards(name string) bool {
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '*', '?', '[':
			return true
		case '\\':
			i++
		}
	}
	return false
}

func pathRelativeToWorkingDir(dir, p string, platform ocispecs.Platform) (string, error) {
	p, err := system.CheckSystemDriveAndRemoveDriveLetter(p, platform.OS, true)
	if err != nil {
		return "", fmt.Errorf("removing drive letter: %w", err)
	}
	if system.IsAbs(p, platform.OS) {
		return system.NormalizePath("/", p, platform.OS, true)
	}
	if p == "." || p == "" {
		p = "./"
	}
	return system.NormalizePath(dir, p, platform.OS, true)
}

// ChownByName reports whether an owner names a user or group, which a
// linked copy cannot look up (the frontend's chownByName).
func ChownByName(chown string) bool {
	co, ok := llb.WithUser(chown).(llb.ChownOpt)
	if !ok {
		return false
	}
	return (co.User != nil && co.User.Name != "") || (co.Group != nil && co.Group.Name != "")
}
