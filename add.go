package multistage

import (
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/dfgitutil"
	"github.com/multistage/multistage/internal/dfimport"
	"github.com/multistage/multistage/internal/ir"
)

// AddOption configures [Stage.Add], [Stage.AddURL] and [Stage.AddGit]. Every
// [CopyOption] is an AddOption ([Chown], [Chmod], [Link], [Exclude],
// [Expand], [MoreSources], ...); [Checksum], [KeepGitDir] and [Unpack] are
// AddOptions only. [Parents] does not apply to ADD.
type AddOption interface{ applyAdd(*copyConfig) }

type addFunc func(*copyConfig)

func (f addFunc) applyAdd(c *copyConfig) { f(c) }

// Checksum makes BuildKit verify what [Stage.AddURL] downloads, or the
// commit that [Stage.AddGit] checks out:
//
//	ADD --checksum=sha256:24454f83… https://example.com/tool.tgz /tmp/
//
// For a URL, digest is a digest such as "sha256:…"; for a git repository,
// a hexadecimal commit id (or a prefix of one). The default is no
// verification.
func Checksum(digest string) AddOption {
	return addFunc(func(c *copyConfig) {
		if err := checkFlagWord("checksum", digest, ",=`"); err != nil {
			c.errs = append(c.errs, err)
			return
		}
		c.cp.Checksum = digest
	})
}

// Unpack says whether [Stage.Add] and [Stage.AddURL] unpack a tar archive
// (plain, gzip, bzip2 or xz) into dst ("ADD --unpack=true"). By default a
// local archive is unpacked and a downloaded one is not.
func Unpack(unpack bool) AddOption {
	return addFunc(func(c *copyConfig) { c.cp.Unpack = &unpack })
}

// KeepGitDir keeps the .git directory of the repository that [Stage.AddGit]
// adds ("ADD --keep-git-dir=true"). By default it is left out.
func KeepGitDir() AddOption {
	return addFunc(func(c *copyConfig) {
		keep := true
		c.cp.KeepGitDir = &keep
	})
}

// addKind is what an ADD source is, as BuildKit's Dockerfile frontend
// tells them apart.
type addKind int

const (
	addLocal = addKind(dfimport.LocalSource)
	addURL   = addKind(dfimport.URLSource)
	addGit   = addKind(dfimport.GitSource)
)

// String describes the kind of source, for errors.
func (k addKind) String() string {
	return [...]string{"a path of the build context", "an http(s) URL", "a git repository URL"}[k]
}

// addKindOf classifies src as dispatchCopy does: a git reference first,
// then an http(s) URL, else a path of the build context.
func addKindOf(src string) (addKind, error) {
	k, err := dfimport.KindOf(src)
	if err != nil {
		return 0, valueError(ErrInvalidValue, "git repository", src, err.Error())
	}
	return addKind(k), nil
}

// gitConflicts finds what dispatchCopy refuses of git sources once it
// builds: a KeepGitDir or a Checksum that contradicts the keep-git-dir or
// checksum of a repository URL's query. As there, the first value given
// holds for the git sources after it. Templates are checked when
// compiled.
func gitConflicts(cp *ir.Copy) []error {
	var errs []error
	keep := cp.KeepGitDir
	sum := cp.Checksum
	if cp.Expand && strings.Contains(sum, "$") {
		sum = ""
	}
	for _, src := range cp.Sources {
		if cp.Expand && strings.Contains(src, "$") {
			continue
		}
		ref, isGit, err := dfgitutil.ParseGitRef(src)
		if err != nil || !isGit || ref.IndistinguishableFromLocal {
			continue
		}
		if keep != nil && ref.KeepGitDir != nil && *keep != *ref.KeepGitDir {
			errs = append(errs, valueError(ErrInvalidValue, "git repository", src, "its keep-git-dir contradicts KeepGitDir or an earlier source"))
		}
		if ref.KeepGitDir != nil {
			keep = ref.KeepGitDir
		}
		if sum != "" && ref.Checksum != "" && sum != ref.Checksum {
			errs = append(errs, valueError(ErrInvalidValue, "git repository", src, fmt.Sprintf("its checksum %q contradicts %q", ref.Checksum, sum)))
		}
		if ref.Checksum != "" {
			sum = ref.Checksum
		}
	}
	return errs
}

// Add appends an ADD instruction that copies src from the build context to
// dst, unpacking it when it is a local tar archive (plain, gzip, bzip2 or
// xz):
//
//	ADD vendor.tar.gz /src/vendor/
//
// Paths are as in [Stage.Copy]. Use [Stage.Copy] for files that must not
// be unpacked, [Stage.AddURL] for a download and [Stage.AddGit] for a git
// repository. It compiles to an llb copy with AttemptUnpack, as BuildKit's
// Dockerfile frontend does.
//
// As in a Dockerfile, one ADD may fetch sources of every kind: the first
// source is of the kind the call names, and [MoreSources] may add paths of
// the context, URLs and git repositories, each handled as its own call
// would handle it. With [Expand], a source that refers to variables is
// told apart once expanded, when the build is compiled, as BuildKit does:
// Add("${ARCHIVE_URL}", "/opt/", Expand()) downloads a URL.
func (s *Stage) Add(src, dst string, opts ...AddOption) *Stage {
	return s.addInstr(addLocal, src, dst, opts)
}

// AddURL appends an ADD instruction that downloads url (http or https) to
// dst; a dst that ends in '/' is a directory, where the file takes the
// last element of the URL's path as its name:
//
//	ADD --checksum=sha256:24454f83… https://example.com/tool.tgz /tmp/
//
// A downloaded archive is not unpacked. Give [Checksum] to pin the
// content. It compiles to an llb HTTP source copied into the stage.
func (s *Stage) AddURL(url, dst string, opts ...AddOption) *Stage {
	return s.addInstr(addURL, url, dst, opts)
}

// AddGit appends an ADD instruction that checks out a git repository into
// dst:
//
//	ADD --keep-git-dir=true https://github.com/example/repo.git#v1.0 /src
//
// repo is a git URL ("https://….git", "git@host:org/repo.git", "git://…"),
// optionally with a "#ref" or "#ref:subdir" fragment. Give [KeepGitDir] to
// keep the .git directory and [Checksum] to pin the commit. It compiles to
// an llb git source copied into the stage.
func (s *Stage) AddGit(repo, dst string, opts ...AddOption) *Stage {
	return s.addInstr(addGit, repo, dst, opts)
}

func (s *Stage) addInstr(kind addKind, src, dst string, opts []AddOption) *Stage {
	defer s.lock()()
	cp := &ir.Copy{Add: true, From: ir.Context(), Sources: []string{src}, Dest: dst}
	cc := &copyConfig{cp: cp}
	for _, o := range opts {
		if o != nil {
			o.applyAdd(cc)
		}
	}
	if cp.Parents {
		cc.errs = append(cc.errs, fmt.Errorf("%w: ADD has no --parents", ErrInvalidValue))
	}
	// The kinds of the sources. unknown is set when one is not known: a
	// template until it is expanded, a refused source at all.
	kinds := map[addKind]bool{}
	unknown := false
	for i, p := range cp.Sources {
		if cp.Expand && strings.Contains(p, "$") {
			unknown = true
			continue
		}
		if pathCheck(cp)("source", p) != nil {
			// finishCopy reports it, once; the checks of the kinds
			// below would only report a consequence.
			unknown = true
			continue
		}
		k, err := addKindOf(p)
		if err != nil {
			cc.errs = append(cc.errs, err)
			continue
		}
		if i == 0 && k != kind {
			cc.errs = append(cc.errs, valueError(ErrInvalidValue, "ADD source", p, fmt.Sprintf("is %v, not %v", k, kind)))
		}
		kinds[k] = true
	}
	cc.errs = append(cc.errs, gitConflicts(cp)...)
	if cp.Unpack != nil && !unknown && !kinds[addLocal] && !kinds[addURL] {
		cc.errs = append(cc.errs, fmt.Errorf("%w: Unpack does not apply to a git repository", ErrInvalidValue))
	}
	if cp.KeepGitDir != nil && !unknown && !kinds[addGit] {
		cc.errs = append(cc.errs, fmt.Errorf("%w: KeepGitDir applies to git repositories only", ErrInvalidValue))
	}
	if cp.Checksum != "" {
		if kind == addLocal && !unknown || len(cp.Sources) != 1 || len(cp.Contents) > 0 {
			cc.errs = append(cc.errs, fmt.Errorf("%w: Checksum applies to the one source of AddURL or AddGit", ErrInvalidValue))
		}
		if err := checkChecksum(kinds[addURL], kinds[addGit], cp.Checksum, cp.Expand); err != nil {
			cc.errs = append(cc.errs, err)
		}
	}

	return s.finishCopy("ADD", cc, nil)
}
