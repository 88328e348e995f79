package compile

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/apicaps"
	"github.com/multistage/multistage/internal/ir"
)

// Compiling for the daemon in front of you
//
// A daemon reports the LLB capabilities it has (the gateway's
// BuildOpts().LLBCaps), and refuses a definition with an op that needs one
// it lacks. Compile, given them in Options.Caps, does what BuildKit's
// Dockerfile frontend does with ConvertOpt.LLBCaps:
//
//   - COPY --link without MergeOp is a plain copy (dispatchCopy);
//   - a read-write bind mount without exec.mount.bind.readwrite-nooutput
//     keeps its output (dispatchRunMounts);
//   - the marshalled definition carries the caps (llb.WithCaps), so that
//     llb sets a default PATH itself for a daemon whose executor does not.
//
// Beyond the frontend, which would hand such a daemon ops it refuses or,
// for the patterns of copies, silently ignores (Docker Engine 20.10 copies
// what --exclude excludes):
//
//   - COPY --exclude and --parents of a directory of the build context
//     read the context through another local source that filters it the
//     same way (include and exclude patterns of local sources are as old
//     as BuildKit's caps), when the daemon lacks the file op's own
//     patterns or required paths (see filterPatterns);
//   - every other use of a capability the daemon lacks is an error that
//     wraps ErrUnsupported and names the feature, before anything is sent.

// ErrUnsupported is wrapped by the errors for a feature that the daemon
// the build is compiled for cannot run.
var ErrUnsupported = errors.New("not supported by the daemon")

// allCaps are the LLB capabilities of BuildKit v0.34, this module's, which
// Compile marshals with when it is given none; it then takes every feature
// as supported, as it did before it knew of capabilities.
var allCaps = pb.Caps.CapSet(pb.Caps.All())

// capSince is the first BuildKit release with each capability that Compile
// checks and BuildKit v0.8 (Docker Engine 20.10) lacks, for the errors.
var capSince = map[apicaps.CapID]string{
	pb.CapFileCopyIncludeExcludePatterns: "v0.9",
	pb.CapFileCopyRequiredPaths:          "v0.26",
	pb.CapFileCopyModeStringFormat:       "v0.17",
	pb.CapExecSecretEnv:                  "v0.10",
	pb.CapExecMountTmpfsSize:             "v0.10",
	pb.CapSourceGitChecksum:              "v0.23",
	pb.CapSourceGitSubdir:                "v0.9",
	pb.CapSourceGitSkipSubmodules:        "v0.24",
	pb.CapSourceGitFetchByCommit:         "v0.30",
	pb.CapMergeOp:                        "v0.10",
	pb.CapSourceDateEpoch:                "v0.11",
}

// UnsupportedError returns the error for feature, which needs the LLB
// capability id that the daemon lacks. It wraps ErrUnsupported.
func UnsupportedError(feature string, id apicaps.CapID) error {
	since := ""
	if v, ok := capSince[id]; ok {
		since = ", BuildKit " + v + " and later"
	}
	return fmt.Errorf("%w: %s needs the LLB capability %s (the daemon lacks it%s)", ErrUnsupported, feature, id, since)
}

// Intersect returns the capabilities that a has and, unless it is nil, b
// has too.
func Intersect(a apicaps.CapSet, b *apicaps.CapSet) apicaps.CapSet {
	if b == nil {
		return a
	}
	var both []*apicaps.PBCap
	for _, c := range pb.Caps.All() {
		id := apicaps.CapID(c.ID)
		if a.Supports(id) == nil && b.Supports(id) == nil {
			both = append(both, &apicaps.PBCap{ID: c.ID, Enabled: true})
		}
	}
	return pb.Caps.CapSet(both)
}

// supports reports whether the daemon has the capability id.
func (c *compiler) supports(id apicaps.CapID) bool { return c.anyCaps || Supports(c.caps, id) }

// Supports reports whether caps has the capability id. BuildKit never
// registered file.copy.modestring (a daemon cannot report it, and llb
// does not ask for it), so a daemon has it when it has the capability
// that came with it in v0.17, exec.validexitcode.
func Supports(caps *apicaps.CapSet, id apicaps.CapID) bool {
	if id == pb.CapFileCopyModeStringFormat {
		id = pb.CapExecValidExitCode
	}
	return caps.Supports(id) == nil
}

// need returns nil when the daemon has the capabilities ids, or else the
// error for feature.
func (c *compiler) need(feature string, ids ...apicaps.CapID) error {
	for _, id := range ids {
		if !c.supports(id) {
			return UnsupportedError(feature, id)
		}
	}
	return nil
}

// copyCaps checks the capabilities that llb's copy action means to ask for
// (fileActionCopy.addCaps) for the copy of one source. what is "COPY" or
// "ADD". In BuildKit v0.34, FileOp.Marshal asks its actions for their
// capabilities before it has collected them, so a definition never names
// these: an older daemon would drop the patterns it does not know and copy
// everything, and neither the gateway nor the daemon would object. This
// check is the only one.
func (c *compiler) copyCaps(what string, info *llb.CopyInfo) error {
	if len(info.ExcludePatterns) > 0 {
		if err := c.need(what+" --exclude", pb.CapFileCopyIncludeExcludePatterns); err != nil {
			return err
		}
	}
	if len(info.IncludePatterns) > 0 {
		if err := c.need(what+" --parents", pb.CapFileCopyIncludeExcludePatterns); err != nil {
			return err
		}
	}
	if len(info.RequiredPaths) > 0 {
		if err := c.need(what+" --parents", pb.CapFileCopyRequiredPaths); err != nil {
			return err
		}
	}
	if info.Mode != nil && info.Mode.ModeStr != "" {
		if err := c.need(what+" --chmod="+info.Mode.ModeStr+" (a symbolic mode)", pb.CapFileCopyModeStringFormat); err != nil {
			return err
		}
	}
	return nil
}

// runCaps checks the capabilities that llb's exec op asks for
// (ExecOp.Marshal) for the options of a RUN other than its mounts.
func (c *compiler) runCaps(r *ir.Run) error {
	if err := c.need("RUN", pb.CapExecMetaBase); err != nil {
		return err
	}
	if c.proxy != nil {
		if err := c.need("the proxy build args", pb.CapExecMetaProxy); err != nil {
			return err
		}
	}
	if r.Security == "insecure" {
		if err := c.need("RUN --security=insecure", pb.CapExecMetaSecurity); err != nil {
			return err
		}
	}
	if r.Network == "none" || r.Network == "host" {
		if err := c.need("RUN --network="+r.Network, pb.CapExecMetaNetwork); err != nil {
			return err
		}
	}
	return nil
}

// mountCaps checks the capabilities that llb's exec op asks for a cache,
// tmpfs or bind mount.
func (c *compiler) mountCaps(m ir.Mount) error {
	switch m.Type {
	case ir.MountCache:
		return c.need("RUN --mount=type=cache", pb.CapExecMountCache, pb.CapExecMountCacheSharing)
	case ir.MountTmpfs:
		if m.Size > 0 {
			return c.need("RUN --mount=type=tmpfs,size=", pb.CapExecMountTmpfs, pb.CapExecMountTmpfsSize)
		}
		return c.need("RUN --mount=type=tmpfs", pb.CapExecMountTmpfs)
	default:
		return c.need("RUN --mount=type=bind", pb.CapExecMountBind)
	}
}

// sourceCaps checks the capabilities that llb asks for as it marshals the
// source op of st (a git repository or a URL), which feature names.
func (c *compiler) sourceCaps(ctx context.Context, feature string, st llb.State) error {
	_, _, md, _, err := st.Output().Vertex(ctx, nil).Marshal(ctx, &llb.Constraints{})
	if err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(md.Caps)) {
		if err := c.need(feature, apicaps.CapID(id)); err != nil {
			return err
		}
	}
	return nil
}

// filterPatterns returns the include and exclude patterns, relative to
// the directory src of the build context, as patterns of the context, for
// a copy of src that reads a filtered context on a daemon whose file op
// cannot filter. It reports false where that would not copy the same
// files:
//
//   - a source with wildcards, whose matches are known only to the daemon;
//   - an exclude pattern with an exception ("!keep"), which, appended to
//     the context's own exclude patterns, could bring back what they
//     exclude;
//   - below the root, a pattern that names no path inside src (absolute,
//     ".", or with a ".." element), which matches nothing in the file op
//     but could match src itself or its parents once prefixed.
func (c *compiler) filterPatterns(src string, include, exclude []string) (inc, exc []string, ok bool) {
	if !c.supports(pb.CapSourceLocalIncludePatterns) || !c.supports(pb.CapSourceLocalExcludePatterns) {
		return nil, nil, false
	}
	if strings.ContainsAny(src, `*?[\`) {
		return nil, nil, false
	}
	dir := strings.TrimPrefix(src, "/")
	prefix := func(patterns []string) ([]string, bool) {
		out := make([]string, 0, len(patterns))
		for _, p := range patterns {
			if strings.HasPrefix(strings.TrimSpace(p), "!") {
				return nil, false
			}
			if dir == "" {
				out = append(out, p)
				continue
			}
			clean := path.Clean(p)
			if path.IsAbs(clean) || clean == "." || slices.Contains(strings.Split(clean, "/"), "..") {
				return nil, false
			}
			out = append(out, dir+"/"+clean)
		}
		return out, true
	}
	inc, ok1 := prefix(include)
	exc, ok2 := prefix(exclude)
	return inc, exc, ok1 && ok2
}

// checkDefinition refuses an op of def that needs a capability the daemon
// lacks. Compile checks every feature where it lowers it, so that the
// error names the instruction; this is the last line, which names only
// the capability.
func checkDefinition(def *llb.Definition, caps *apicaps.CapSet) error {
	var missing []string
	for _, md := range def.Metadata {
		for id := range md.Caps {
			if caps.Supports(id) != nil && !slices.Contains(missing, string(id)) {
				missing = append(missing, string(id))
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	errs := make([]error, len(missing))
	for i, id := range missing {
		errs[i] = UnsupportedError("the build", apicaps.CapID(id))
	}
	return errors.Join(errs...)
}
