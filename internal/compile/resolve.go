package compile

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// imageKey identifies one resolution: the same image on the same platform
// resolves once per Compile, however many stages use it.
type imageKey struct {
	name     string // normalized, tagged reference
	platform string
	explicit bool // FROM --platform was given, so no platform auto-detection
}

// imageState is a resolved base image (the resolveBaseImage half of
// dockerfile2llb that does I/O).
type imageState struct {
	key      imageKey
	ref      reference.Named
	platform ocispecs.Platform
	explicit bool

	once     sync.Once
	took     time.Duration // how long the resolver took to answer
	err      error
	state    llb.State
	image    dockerspec.DockerOCIImage
	config   []byte // the resolver's config, as it came
	resolved ocispecs.Platform
}

// image registers the image ref for resolution on platform (nil for the
// target platform) and returns its shared state.
func (c *compiler) image(ref string, platform *ocispecs.Platform) (*imageState, error) {
	parsed, err := parseRef(ref)
	if err != nil {
		return nil, fmt.Errorf("failed to parse stage name %q: %w", ref, err)
	}
	p := c.targetPlatform
	if platform != nil {
		p = *platform
	}
	key := imageKey{name: parsed.tagged, platform: platforms.FormatAll(p), explicit: platform != nil}
	if is, ok := c.images[key]; ok {
		return is, nil
	}
	is := &imageState{key: key, ref: parsed.named, platform: p, explicit: platform != nil}
	c.images[key] = is
	return is, nil
}

// resolveAll resolves every registered image.
//
// A resolver that answers from memory (a static one, or one with a warm
// cache) takes microseconds per image, and goroutines would cost more in
// scheduling than they save: waking another processor costs about as much
// as compiling the rest of the build. One that goes to a registry takes
// milliseconds, and then the images must resolve concurrently, as the
// frontend resolves them. So images resolve in turn on the calling
// goroutine while each answer comes back within slowResolve; once one takes
// longer, the resolver is remembered as slow and the images still waiting
// go to goroutines. One that Options.ResolveConcurrently marks as remote,
// or one remembered as slow, resolves every image concurrently from the
// start; the latter is forgotten once a Compile finds every answer fast
// again (a pause of this process, not a registry, made it slow). Each
// image resolves exactly once (imageState.once), whichever goroutine gets
// to it first.
func (c *compiler) resolveAll(ctx context.Context) error {
	all := make([]*imageState, 0, len(c.images))
	for _, is := range c.images {
		all = append(all, is)
	}
	// Report errors in a stable order.
	slices.SortFunc(all, func(a, b *imageState) int { return strings.Compare(a.key.String(), b.key.String()) })
	key, known := resolverKey(c.opt.Resolver)
	concurrent := c.opt.ResolveConcurrently
	remembered := false
	if !concurrent && known {
		_, remembered = slowResolvers.Load(key)
		concurrent = remembered
	}
	if concurrent && len(all) > 1 {
		for _, is := range all[1:] {
			go is.resolve(ctx, c)
		}
	}
	for i, is := range all {
		if concurrent || c.opt.Resolver == nil {
			is.resolve(ctx, c) // or wait for the goroutine that has it
			continue
		}
		is.resolve(ctx, c)
		if is.took > slowResolve && i+1 < len(all) {
			concurrent = true
			if known {
				rememberSlow(key)
			}
			for _, is := range all[i+1:] {
				go is.resolve(ctx, c)
			}
		}
	}
	if remembered && !slices.ContainsFunc(all, func(is *imageState) bool { return is.took > slowResolve }) {
		// Every answer was fast this time: the slow one was a pause of
		// this process or a cold cache, not a registry.
		if _, ok := slowResolvers.LoadAndDelete(key); ok {
			slowResolvers.size.Add(-1)
		}
	}
	for _, is := range all {
		if is.err != nil {
			return is.err
		}
	}
	return nil
}

// slowResolve is the answer time above which a resolver is taken to go to
// a registry: far more than a goroutine costs, far less than a round trip.
const slowResolve = 250 * time.Microsecond

// slowResolvers are the resolvers that took longer than slowResolve, by
// resolverKey; at most maxSlowResolvers of them are remembered.
var slowResolvers struct {
	sync.Map // uintptr → struct{}
	size     atomic.Int32
}

const maxSlowResolvers = 256

func rememberSlow(key uintptr) {
	if _, loaded := slowResolvers.LoadOrStore(key, struct{}{}); !loaded {
		if slowResolvers.size.Add(1) > maxSlowResolvers {
			slowResolvers.Delete(key)
			slowResolvers.size.Add(-1)
		}
	}
}

// resolverKey identifies a resolver that is a pointer, which is how
// resolvers that keep state (connections, caches) are passed; other
// resolvers are not remembered. A key reused by a later resolver at the
// same address only makes that one start concurrently.
func resolverKey(r llb.ImageMetaResolver) (uintptr, bool) {
	if r == nil {
		return 0, false
	}
	v := reflect.ValueOf(r)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return 0, false
	}
	return v.Pointer(), true
}

// parsedRef is an image reference as parseRef returns it.
type parsedRef struct {
	named  reference.Named
	tagged string // named with the default tag when it has none
}

// refCache memoizes parseRef. Parsing a reference is a regular expression
// match, which costs as much as resolving an image from memory; a process
// compiles the same few images again and again. The cache stops growing
// at maxCachedRefs entries, so a long-lived process that sees many
// references still parses the rest each time.
var refCache struct {
	sync.Map // string → parsedRef
	size     atomic.Int32
}

const maxCachedRefs = 1024

// parseRef parses ref as the frontend does (reference.ParseNormalizedNamed).
func parseRef(ref string) (parsedRef, error) {
	if v, ok := refCache.Load(ref); ok {
		return v.(parsedRef), nil
	}
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return parsedRef{}, err
	}
	p := parsedRef{named: named, tagged: reference.TagNameOnly(named).String()}
	if refCache.size.Add(1) <= maxCachedRefs {
		refCache.Store(ref, p)
	}
	return p, nil
}

func (k imageKey) String() string { return k.name + " " + k.platform }

func (is *imageState) resolve(ctx context.Context, c *compiler) {
	is.once.Do(func() {
		ref := is.ref
		platform := is.platform
		name := reference.TagNameOnly(ref).String()
		img := emptyImage(platform)
		isScratch := false
		if r := c.opt.Resolver; r != nil {
			start := time.Now()
			mutRef, dgst, dt, err := r.ResolveImageConfig(ctx, name, sourceresolver.Opt{
				LogName: "[internal] load metadata for " + name,
				ImageOpt: &sourceresolver.ResolveImageOpt{
					Platform:    &platform,
					ResolveMode: llb.ResolveModeDefault.String(),
				},
			})
			is.took = time.Since(start)
			if err != nil {
				is.err = fmt.Errorf("%s: %w", is.ref.String(), err)
				return
			}
			if ref.String() != mutRef {
				if ref, err = reference.ParseNormalizedNamed(mutRef); err != nil {
					is.err = fmt.Errorf("failed to parse ref %q: %w", mutRef, err)
					return
				}
			}
			img = dockerspec.DockerOCIImage{}
			is.config = dt
			if err := json.Unmarshal(dt, &img); err != nil {
				is.err = fmt.Errorf("failed to parse image config of %s: %w", name, err)
				return
			}
			img.Created = nil
			if !is.explicit && c.implicitTarget {
				platform = autoDetectPlatform(img, platform, c.buildPlatforms)
			}
			if dgst != "" {
				if ref, err = reference.WithDigest(ref, dgst); err != nil {
					is.err = err
					return
				}
			}
			name = ref.String()
			if len(img.RootFS.DiffIDs) == 0 {
				isScratch = true
				for _, h := range img.History {
					if !h.EmptyLayer {
						isScratch = false
						break
					}
				}
			}
		}
		is.image = img
		is.resolved = platform
		if isScratch {
			is.state = llb.Scratch()
		} else {
			is.state = llb.Image(name, llb.Platform(platform), llb.ResolveModeDefault)
		}
	})
}

func autoDetectPlatform(img dockerspec.DockerOCIImage, target ocispecs.Platform, supported []ocispecs.Platform) ocispecs.Platform {
	if target.OS == img.OS && target.Architecture == img.Architecture {
		return target
	}
	for _, p := range supported {
		if p.OS == img.OS && p.Architecture == img.Architecture {
			return p
		}
	}
	return target
}

// emptyImage is the config of scratch, and of a base image that was not
// resolved.
func emptyImage(platform ocispecs.Platform) dockerspec.DockerOCIImage {
	img := dockerspec.DockerOCIImage{}
	img.Architecture = platform.Architecture
	img.OS = platform.OS
	img.OSVersion = platform.OSVersion
	if platform.OSFeatures != nil {
		img.OSFeatures = append([]string(nil), platform.OSFeatures...)
	}
	img.Variant = platform.Variant
	img.RootFS.Type = "layers"
	img.Config.WorkingDir = "/"
	if platform.OS != "windows" {
		img.Config.Env = []string{"PATH=" + defaultPath(platform.OS)}
	}
	return img
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }
