package compile

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

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
	err      error
	state    llb.State
	image    dockerspec.DockerOCIImage
	resolved ocispecs.Platform
}

// image registers the image ref for resolution on platform (nil for the
// target platform) and returns its shared state.
func (c *compiler) image(ref string, platform *ocispecs.Platform) (*imageState, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return nil, fmt.Errorf("failed to parse stage name %q: %w", ref, err)
	}
	p := c.targetPlatform
	if platform != nil {
		p = *platform
	}
	key := imageKey{name: reference.TagNameOnly(named).String(), platform: platforms.FormatAll(p), explicit: platform != nil}
	if is, ok := c.images[key]; ok {
		return is, nil
	}
	is := &imageState{key: key, ref: named, platform: p, explicit: platform != nil}
	c.images[key] = is
	return is, nil
}

// resolveAll resolves every registered image. Resolvers that go to a
// registry are slow, so images resolve concurrently; the first one on the
// calling goroutine, which is all a single-image build needs.
func (c *compiler) resolveAll(ctx context.Context) error {
	all := make([]*imageState, 0, len(c.images))
	for _, is := range c.images {
		all = append(all, is)
	}
	// Report errors in a stable order.
	slices.SortFunc(all, func(a, b *imageState) int { return strings.Compare(a.key.String(), b.key.String()) })
	var wg sync.WaitGroup
	for _, is := range all[min(1, len(all)):] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			is.resolve(ctx, c)
		}()
	}
	if len(all) > 0 {
		all[0].resolve(ctx, c)
	}
	wg.Wait()
	for _, is := range all {
		if is.err != nil {
			return is.err
		}
	}
	return nil
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
			mutRef, dgst, dt, err := r.ResolveImageConfig(ctx, name, sourceresolver.Opt{
				LogName: "[internal] load metadata for " + name,
				ImageOpt: &sourceresolver.ResolveImageOpt{
					Platform:    &platform,
					ResolveMode: llb.ResolveModeDefault.String(),
				},
			})
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
