// Package llbcaps holds the LLB capability sets of the BuildKit releases
// the project builds on, for compiling and cross-checking without a
// daemon.
package llbcaps

import (
	"slices"
	"sync"

	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/apicaps"
)

// V08 are the LLB capabilities of BuildKit v0.8, the BuildKit built into
// Docker Engine 20.10 (Debian's docker.io 20.10.24 reports exactly these
// through its gateway): no MergeOp, no include, exclude or required paths
// in copies, no symbolic chmod, no secrets as environment variables, no
// tmpfs size, no git subdirectories or checksums.
func V08() apicaps.CapSet { return set(v08) }

// All are the LLB capabilities of this module's BuildKit.
// The set is read only; it is built once because building it sorts every
// capability BuildKit has, which the differential tests would otherwise do
// for each conversion.
func All() apicaps.CapSet { return all() }

var all = sync.OnceValue(func() apicaps.CapSet { return pb.Caps.CapSet(pb.Caps.All()) })

// Without returns all capabilities but ids.
func Without(ids ...apicaps.CapID) apicaps.CapSet {
	var out []apicaps.CapID
	for _, c := range pb.Caps.All() {
		id := apicaps.CapID(c.ID)
		keep := true
		for _, x := range ids {
			keep = keep && x != id
		}
		if keep {
			out = append(out, id)
		}
	}
	return set(out)
}

// With returns the capabilities of caps and ids. BuildKit never registered
// file.copy.modestring: it stands for exec.validexitcode, which came with
// it (see compile.Supports).
func With(caps apicaps.CapSet, ids ...apicaps.CapID) apicaps.CapSet {
	out := IDs(caps)
	for _, id := range ids {
		if id == pb.CapFileCopyModeStringFormat {
			id = pb.CapExecValidExitCode
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return set(out)
}

// IDs returns the ids of the capabilities that caps supports, in the order
// of pb.Caps.All.
func IDs(caps apicaps.CapSet) []apicaps.CapID {
	var out []apicaps.CapID
	for _, c := range pb.Caps.All() {
		if caps.Supports(apicaps.CapID(c.ID)) == nil {
			out = append(out, apicaps.CapID(c.ID))
		}
	}
	return out
}

func set(ids []apicaps.CapID) apicaps.CapSet {
	caps := make([]*apicaps.PBCap, len(ids))
	for i, id := range ids {
		caps[i] = &apicaps.PBCap{ID: string(id), Enabled: true}
	}
	return pb.Caps.CapSet(caps)
}

// v08 is solver/pb/caps.go of BuildKit v0.8.3.
var v08 = []apicaps.CapID{
	pb.CapSourceImage,
	pb.CapSourceImageResolveMode,
	pb.CapSourceLocal,
	pb.CapSourceLocalUnique,
	pb.CapSourceLocalSessionID,
	pb.CapSourceLocalIncludePatterns,
	pb.CapSourceLocalFollowPaths,
	pb.CapSourceLocalExcludePatterns,
	pb.CapSourceLocalSharedKeyHint,
	pb.CapSourceGit,
	pb.CapSourceGitKeepDir,
	pb.CapSourceGitFullURL,
	pb.CapSourceGitHTTPAuth,
	pb.CapSourceGitKnownSSHHosts,
	pb.CapSourceGitMountSSHSock,
	pb.CapSourceHTTP,
	pb.CapSourceHTTPChecksum,
	pb.CapSourceHTTPPerm,
	pb.CapSourceHTTPUIDGID,
	pb.CapBuildOpLLBFileName,
	pb.CapExecMetaBase,
	pb.CapExecMetaProxy,
	pb.CapExecMetaNetwork,
	pb.CapExecMetaSecurity,
	pb.CapExecMetaSecurityDeviceWhitelistV1,
	pb.CapExecMetaSetsDefaultPath,
	pb.CapExecMountBind,
	pb.CapExecMountBindReadWriteNoOutput,
	pb.CapExecMountCache,
	pb.CapExecMountCacheSharing,
	pb.CapExecMountSelector,
	pb.CapExecMountTmpfs,
	pb.CapExecMountSecret,
	pb.CapExecMountSSH,
	pb.CapExecCgroupsMounted,
	pb.CapFileBase,
	pb.CapFileRmWildcard,
	pb.CapConstraints,
	pb.CapPlatform,
	pb.CapMetaIgnoreCache,
	pb.CapMetaDescription,
	pb.CapMetaExportCache,
}
