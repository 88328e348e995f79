package multistage

import (
	"fmt"
	"maps"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/util/apicaps"
	"github.com/multistage/multistage/internal/compile"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Option configures [Build.Dockerfile], [Build.Compile], [Build.Validate]
// and [Build.Solve]. Options that only some of them use are ignored by the
// others, as their docs say, but an invalid one (a platform without an
// architecture, a syntax reference that does not parse) is refused by all.
// Every Option is also a [SolveOption].
type Option interface {
	applyOption(*config)
	SolveOption
}

type config struct {
	target    *Stage
	resolver  llb.ImageMetaResolver
	buildArgs map[string]string
	platform  *ocispecs.Platform
	syntax    string
	caps      *apicaps.CapSet

	maxExpandedValue, maxExpandedTotal int
}

func newConfig(opts []Option) *config {
	c := &config{}
	for _, o := range opts {
		if o != nil {
			o.applyOption(c)
		}
	}
	return c
}

type optionFunc func(*config)

func (f optionFunc) applyOption(c *config) { f(c) }

// Target selects the stage to build, as "docker build --target" does. The
// default is the last stage added.
func Target(s *Stage) Option { return optionFunc(func(c *config) { c.target = s }) }

// WithMetaResolver resolves base images to a digest and an image config for
// [Build.Compile]. A BuildKit gateway client (the one passed to the build
// function of client.Build) is such a resolver and honours the daemon's
// registry mirrors.
func WithMetaResolver(r llb.ImageMetaResolver) Option {
	return optionFunc(func(c *config) { c.resolver = r })
}

// BuildArg sets the value of a build arg for [Build.Compile], as
// "docker build --build-arg key=value" does. [Build.Dockerfile] ignores it:
// the rendered Dockerfile takes the same --build-arg.
//
// As with docker build, some build args mean more: HTTP_PROXY,
// HTTPS_PROXY, FTP_PROXY, NO_PROXY and ALL_PROXY (in either letter case)
// are the proxy of every RUN, declared or not, and stay out of the cache
// key; SOURCE_DATE_EPOCH (a Unix time, also as a global ARG default)
// dates the image history, the directories WORKDIR creates and, with
// [Build.Solve], the exported image; BUILDKIT_SANDBOX_HOSTNAME is the host
// name of every RUN; BUILDKIT_CACHE_MOUNT_NS prefixes every cache mount
// id.
func BuildArg(key, value string) Option {
	return optionFunc(func(c *config) {
		if c.buildArgs == nil {
			c.buildArgs = map[string]string{}
		} else {
			c.buildArgs = maps.Clone(c.buildArgs)
		}
		c.buildArgs[key] = value
	})
}

// WithPlatform sets the target platform for [Build.Compile], as
// "docker build --platform" does. The default is the platform of the
// machine that compiles, which is also BuildKit's default.
//
// Compile, which knows no daemon, takes the target platform as the build
// platform ($BUILDPLATFORM) too, as BuildKit's Dockerfile converter does
// when it is given none. [Build.Solve] takes the build platform from the
// daemon's worker, as docker build does.
func WithPlatform(p ocispecs.Platform) Option {
	return optionFunc(func(c *config) { c.platform = &p })
}

// checkTargetPlatform accepts a platform that names an OS and an architecture,
// as "docker build --platform" needs.
func checkTargetPlatform(p ocispecs.Platform) error {
	if p.OS == "" || p.Architecture == "" {
		return fmt.Errorf("%w: platform %q: needs an OS and an architecture", ErrInvalidValue, platforms.FormatAll(p))
	}
	return nil
}

// Syntax adds a "# syntax=ref" directive to the rendered Dockerfile, so that
// BuildKit builds it with that frontend image. There is none by default:
// the directive makes BuildKit pull the frontend image before building.
// [Build.Compile] ignores it, once it is a valid reference.
func Syntax(ref string) Option { return optionFunc(func(c *config) { c.syntax = ref }) }

// WithLLBCaps compiles for a BuildKit daemon that has the LLB capabilities
// caps, as BuildKit's Dockerfile frontend compiles for the daemon it runs
// on (its LLBCaps). A BuildKit gateway client reports the daemon's as
// gw.BuildOpts().LLBCaps. The default is every capability of the BuildKit
// this module is built with. [Build.Solve] compiles for the capabilities
// of the daemon it builds on, narrowed to caps when this option is given;
// [Build.Dockerfile] and [Build.Validate] ignore it.
//
// For an older daemon, such as the BuildKit v0.8 built into Docker Engine
// 20.10, Compile falls back where the Dockerfile frontend falls back, and
// goes further where the frontend would hand the daemon ops it refuses:
//
//   - without MergeOp, a [Link] copy is a plain copy, as in the frontend;
//   - without exec.mount.bind.readwrite-nooutput, a read-write [BindMount]
//     keeps its output, as in the frontend;
//   - without patterns in copies, [Exclude] and [Parents] on a copy of a
//     directory of the build context ("." or "web/ui", not a wildcard)
//     read the context filtered by the local source instead, which copies
//     the same files (the Dockerfile frontend would send ops that such a
//     daemon refuses, or for these patterns, silently ignores);
//   - every other feature the daemon lacks (Exclude on a copy from a
//     stage, [ChmodSymbolic], [SecretEnv], a tmpfs [Size], a git
//     subdirectory or [Checksum], ...) is refused before anything is
//     built, with an [*InstructionError] that wraps [ErrUnsupportedByDaemon]
//     and names the feature and the capability.
func WithLLBCaps(caps apicaps.CapSet) Option {
	return optionFunc(func(c *config) { c.caps = &caps })
}

// WithExpansionLimits sets how far [Build.Compile] expands variables: no
// value may expand to more than value bytes, and all the values expanded
// in one compile to no more than total bytes; beyond that Compile fails
// with an [*InstructionError] that wraps [ErrExpansionLimit], in bounded
// time and memory. Zero or less keeps a default: [DefaultMaxExpandedValue]
// (1 MiB) and [DefaultMaxExpandedTotal] (64 MiB). BuildKit's Dockerfile
// frontend has no limit: ENV A=$A$A, 24 times over, takes it hundreds of
// megabytes.
func WithExpansionLimits(value, total int) Option {
	return optionFunc(func(c *config) { c.maxExpandedValue, c.maxExpandedTotal = value, total })
}

// The default limits of [WithExpansionLimits].
const (
	DefaultMaxExpandedValue = compile.DefaultMaxExpandedValue
	DefaultMaxExpandedTotal = compile.DefaultMaxExpandedTotal
)
