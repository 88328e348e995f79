package multistage

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	commonexptypes "github.com/moby/buildkit/exporter/exptypes"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/secrets/secretsprovider"
	"github.com/moby/buildkit/session/sshforward/sshprovider"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/moby/patternmatcher/ignorefile"
	"github.com/multistage/multistage/internal/compile"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/tonistiigi/fsutil"
)

// SolveOption configures [Build.Solve]. Every [Option] ([Target],
// [BuildArg], [WithPlatform], ...) is also a SolveOption.
type SolveOption interface{ applySolve(*solveConfig) }

func (f optionFunc) applySolve(c *solveConfig) { c.opts = append(c.opts, f) }

type solveFunc func(*solveConfig)

func (f solveFunc) applySolve(c *solveConfig) { f(c) }

type solveConfig struct {
	opts         []Option
	contextDir   string
	exports      []client.ExportEntry
	cacheImports []client.CacheOptionsEntry
	cacheExports []client.CacheOptionsEntry
	secrets      []secretsprovider.Source
	ssh          []sshprovider.AgentConfig
	platforms    []ocispecs.Platform
	progressMode progressui.DisplayMode
	progressOut  io.Writer
	statusCh     chan<- *client.SolveStatus
	files        []string  // tarballs written, for their size
	outputs      []*output // files and directories written, put in place once the build succeeded
	loads        []string  // Load's image names
	inspect      []func(context.Context, *Built) error
	errs         []error // of options, reported before anything is built
}

// fail records a problem of a SolveOption.
func (c *solveConfig) fail(option string, err error) {
	c.errs = append(c.errs, fmt.Errorf("%s: %w", option, err))
}

// outputFile checks, before the build, that a file exporter can create
// path: BuildKit opens it only once the image is built.
func (c *solveConfig) outputFile(option, path string) bool {
	if path == "" {
		c.fail(option, fmt.Errorf("%w: empty path", ErrInvalidValue))
		return false
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
		c.fail(option, fmt.Errorf("%w: %s: the directory %s does not exist", ErrInvalidValue, path, filepath.Dir(path)))
		return false
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		c.fail(option, fmt.Errorf("%w: %s is a directory", ErrInvalidValue, path))
		return false
	}
	return true
}

// imageName checks the name an image is exported or pushed as.
func (c *solveConfig) imageName(option, name string) bool {
	ref, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		c.fail(option, fmt.Errorf("%w: image name %q: %v", ErrInvalidValue, name, err))
		return false
	}
	if _, ok := ref.(reference.Digested); ok {
		// the exporters and the engine tag the image: a digest is what
		// the image gets, not a name it can be given
		c.fail(option, fmt.Errorf("%w: image name %q has a digest: name the image with a tag", ErrInvalidValue, name))
		return false
	}
	return true
}

// ContextDir sets the directory sent as the build context (the default is
// the current directory). Its .dockerignore, if any, is honoured.
func ContextDir(dir string) SolveOption {
	return solveFunc(func(c *solveConfig) { c.contextDir = dir })
}

// OutputOCI writes the image as an OCI layout tarball to path.
//
// The tarball is written to a temporary file beside path, flushed to disk,
// and renamed over path only once the build has succeeded: a build that
// fails, is cancelled or loses its daemon while it exports leaves the file
// at path as it was, and removes the temporary file. Builds that write to
// one path at the same time leave one of their tarballs there, whole. The
// new file keeps the permissions of the one it replaces; a symbolic link
// at path is followed.
func OutputOCI(path string) SolveOption {
	return solveFunc(func(c *solveConfig) {
		if !c.outputFile("OutputOCI", path) {
			return
		}
		c.exports = append(c.exports, c.fileExport("OutputOCI", client.ExporterOCI, path, ""))
		c.files = append(c.files, path)
	})
}

// OutputDocker writes the image as a tarball that "docker load" reads,
// tagged name. Like [OutputOCI], it replaces path only with a whole
// tarball, once the build has succeeded.
func OutputDocker(path, name string) SolveOption {
	return solveFunc(func(c *solveConfig) {
		if !c.outputFile("OutputDocker", path) || !c.imageName("OutputDocker", name) {
			return
		}
		c.exports = append(c.exports, c.fileExport("OutputDocker", client.ExporterDocker, path, name))
		c.files = append(c.files, path)
	})
}

// OutputLocal writes the target stage's file system to dir, keeping
// owners when the calling process runs as root. Afterwards dir holds
// exactly the stage's files: what it held before is removed.
//
// The new tree is built in a temporary directory beside dir and swapped
// with dir once the build has succeeded (in one step on Linux), then the
// old tree is removed: a build that fails, is cancelled or loses its
// daemon while it exports leaves dir as it was, and no partial tree beside
// it. Of builds that write to one dir at the same time, one tree is left
// there, whole. A symbolic link at dir is followed.
//
// The files arrive as one tar stream (BuildKit's "tar" exporter) unpacked
// while they stream in, rather than through the "local" exporter, whose
// file-by-file sync stalls on large trees (tens of thousands of files, such
// as a Go toolchain image) in BuildKit v0.34.
func OutputLocal(dir string) SolveOption {
	return solveFunc(func(c *solveConfig) {
		if dir == "" {
			c.fail("OutputLocal", fmt.Errorf("%w: empty directory", ErrInvalidValue))
			return
		}
		if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
			c.fail("OutputLocal", fmt.Errorf("%w: %s is not a directory", ErrInvalidValue, dir))
			return
		}
		o := newOutput("OutputLocal", dir, true)
		c.outputs = append(c.outputs, o)
		c.exports = append(c.exports, client.ExportEntry{Type: client.ExporterTar, Output: o.open})
	})
}

// OutputTar writes the target stage's file system to path as a tar file.
// Like [OutputOCI], it replaces path only with a whole tar file, once the
// build has succeeded.
func OutputTar(path string) SolveOption {
	return solveFunc(func(c *solveConfig) {
		if !c.outputFile("OutputTar", path) {
			return
		}
		c.exports = append(c.exports, c.fileExport("OutputTar", client.ExporterTar, path, ""))
	})
}

// Push pushes the image to a registry as name (such as
// "registry.example.com/team/app:v1").
func Push(name string) SolveOption {
	return solveFunc(func(c *solveConfig) {
		if !c.imageName("Push", name) {
			return
		}
		c.exports = append(c.exports, client.ExportEntry{Type: client.ExporterImage, Attrs: map[string]string{"name": name, "push": "true"}})
	})
}

// fileExport is the exporter of a file output, which Solve puts in place
// once the build has succeeded.
func (c *solveConfig) fileExport(option, typ, path, name string) client.ExportEntry {
	o := newOutput(option, path, false)
	c.outputs = append(c.outputs, o)
	e := client.ExportEntry{Type: typ, Output: o.open}
	if name != "" {
		e.Attrs = map[string]string{"name": name}
	}
	return e
}

// ImportCache imports build cache, as "buildctl --import-cache": typ is
// "registry", "local", "gha", "s3", ...; attrs are its attributes, such as
// {"ref": "registry.example.com/app:cache"} or {"src": "/var/cache/app"}.
func ImportCache(typ string, attrs map[string]string) SolveOption {
	return solveFunc(func(c *solveConfig) {
		if !cacheTypes[typ] || typ == "inline" {
			c.fail("ImportCache", fmt.Errorf("%w: cache type %q: BuildKit imports registry, local, gha, s3 and azblob caches", ErrInvalidValue, typ))
			return
		}
		c.cacheImports = append(c.cacheImports, client.CacheOptionsEntry{Type: typ, Attrs: maps.Clone(attrs)})
	})
}

// ExportCache exports build cache, as "buildctl --export-cache": typ is
// "inline" (in the image), "registry", "local", ...; attrs are its
// attributes, such as {"ref": "registry.example.com/app:cache", "mode": "max"}.
func ExportCache(typ string, attrs map[string]string) SolveOption {
	return solveFunc(func(c *solveConfig) {
		if !cacheTypes[typ] {
			c.fail("ExportCache", fmt.Errorf("%w: cache type %q: BuildKit exports inline, registry, local, gha, s3 and azblob caches", ErrInvalidValue, typ))
			return
		}
		c.cacheExports = append(c.cacheExports, client.CacheOptionsEntry{Type: typ, Attrs: maps.Clone(attrs)})
	})
}

// cacheTypes are the cache backends BuildKit has.
var cacheTypes = map[string]bool{"inline": true, "registry": true, "local": true, "gha": true, "s3": true, "azblob": true}

// SecretFromFile provides the build secret id (see [SecretMount]) from the
// file at path. The value is sent to the daemon only when a RUN mounts it,
// and is never stored in the image or the cache.
func SecretFromFile(id, path string) SolveOption {
	return solveFunc(func(c *solveConfig) { c.secrets = append(c.secrets, secretsprovider.Source{ID: id, FilePath: path}) })
}

// SecretFromEnv provides the build secret id from the environment variable
// name of the calling process.
func SecretFromEnv(id, name string) SolveOption {
	return solveFunc(func(c *solveConfig) { c.secrets = append(c.secrets, secretsprovider.Source{ID: id, Env: name}) })
}

// SSHAgent forwards an SSH agent (see [SSHMount]) as id ("default" when
// empty): the agent socket or key files in paths, or $SSH_AUTH_SOCK when
// none are given.
func SSHAgent(id string, paths ...string) SolveOption {
	return solveFunc(func(c *solveConfig) {
		if id == "" {
			id = "default"
		}
		c.ssh = append(c.ssh, sshprovider.AgentConfig{ID: id, Paths: paths})
	})
}

// Platforms builds the target for several platforms in one build, with one
// image config per platform; the exported image is a multi-platform index.
func Platforms(ps ...ocispecs.Platform) SolveOption {
	return solveFunc(func(c *solveConfig) { c.platforms = append(c.platforms, ps...) })
}

// Progress displays the build's progress on w: mode is "auto", "tty",
// "plain", "rawjson" or "quiet". The default is quiet, for library use.
func Progress(mode string, w io.Writer) SolveOption {
	return solveFunc(func(c *solveConfig) {
		switch m := progressui.DisplayMode(mode); m {
		case progressui.AutoMode, progressui.TtyMode, progressui.PlainMode, progressui.RawJSONMode, progressui.QuietMode:
			if w == nil && m != progressui.QuietMode {
				c.fail("Progress", fmt.Errorf("%w: no writer for mode %q", ErrInvalidValue, mode))
				return
			}
			c.progressMode, c.progressOut = m, w
		default:
			c.fail("Progress", fmt.Errorf("%w: mode %q: want auto, tty, plain, rawjson or quiet", ErrInvalidValue, mode))
		}
	})
}

// StatusChannel receives BuildKit's raw status updates, for callers with a
// display of their own. Solve closes it when the build ends.
func StatusChannel(ch chan<- *client.SolveStatus) SolveOption {
	return solveFunc(func(c *solveConfig) { c.statusCh = ch })
}

// SolveResult is the outcome of [Build.Solve].
type SolveResult struct {
	// Digest is the digest of the exported image manifest or index, when an
	// image exporter ran.
	Digest digest.Digest
	// Size is the size in bytes of the image tarball written by OutputOCI
	// or OutputDocker (of the last one given), else of the image manifest
	// or index that was pushed or stored; 0 when no image was exported.
	Size int64
	// Images are the image configs, by platform ("linux/amd64").
	Images map[string]ocispecs.Image
	// ExporterResponse is BuildKit's raw exporter response.
	ExporterResponse map[string]string
}

// Solve builds the target stage on the BuildKit daemon behind c and exports
// it as the options say.
//
// It compiles the build inside a BuildKit gateway build function, resolving
// base images through the daemon (so registry mirrors and credentials
// configured there apply), and hands the image config to the exporters,
// so the image keeps its Env, Entrypoint, Cmd, WorkingDir, User,
// ExposedPorts and Labels. The build context is the directory of
// [ContextDir], filtered by its .dockerignore and by the paths the build
// copies. The LLB is made for the capabilities the daemon reports (see
// [WithLLBCaps]): on an older daemon, such as Docker Engine 20.10's
// BuildKit v0.8, what it cannot build is refused with
// [ErrUnsupportedByDaemon] before anything runs.
//
// c is a client of any BuildKit: [Dial] connects to Docker Engine's
// built-in BuildKit ("docker"), a local daemon
// ("unix:///run/buildkit/buildkitd.sock"), a remote builder
// ("tcp://builder:1234" with TLS), a container ("docker-container://buildkitd")
// or a pod ("kube-pod://buildkitd-0"), and a client of client.New works too:
// the same code drives one laptop or a fleet of remote builders.
func (b *Build) Solve(ctx context.Context, c *client.Client, opts ...SolveOption) (*SolveResult, error) {
	sc := &solveConfig{contextDir: ".", progressMode: progressui.QuietMode}
	for _, o := range opts {
		if o != nil {
			o.applySolve(sc)
		}
	}
	// StatusChannel's channel is closed when Solve returns, also when it
	// returns before the build starts.
	statusOwned := false
	defer func() {
		if !statusOwned && sc.statusCh != nil {
			close(sc.statusCh)
		}
	}()
	if c == nil {
		return nil, fmt.Errorf("%w: no BuildKit client", ErrInvalidValue)
	}
	if err := errors.Join(sc.errs...); err != nil {
		return nil, err
	}
	// Outputs not put in place by the end are removed: Solve failed.
	defer func() {
		for _, o := range sc.outputs {
			o.abort()
		}
	}()
	// Load: straight into the engine's store when the daemon is Docker
	// Engine, else a docker tarball streamed to the Engine API.
	var load *engineLoad
	if len(sc.loads) > 0 {
		onEngine, err := isEngine(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("Load: %w", err)
		}
		if err := checkLoadPlatforms(ctx, onEngine, sc.platforms); err != nil {
			return nil, err
		}
		if onEngine {
			sc.exports = append(sc.exports, client.ExportEntry{Type: mobyExporter, Attrs: map[string]string{"name": strings.Join(sc.loads, ",")}})
		} else if load, err = newEngineLoad(ctx, sc.loads); err != nil {
			return nil, err
		} else {
			defer load.close()
			sc.exports = append(sc.exports, load.export(ctx))
		}
	}
	var display *progressui.Display
	if sc.progressMode != progressui.QuietMode {
		// Made now, so that a writer that cannot show the mode (tty on
		// a file) fails before the build, not after it.
		d, err := progressui.NewDisplay(sc.progressOut, sc.progressMode)
		if err != nil {
			return nil, fmt.Errorf("Progress: %w: %w", ErrInvalidValue, err)
		}
		display = &d
	}
	cfg := newConfig(sc.opts)
	// One snapshot of the build, validated before anything is sent, and
	// compiled for every platform.
	m, _, err := b.lower(cfg)
	if err != nil {
		return nil, err
	}
	for _, p := range sc.platforms {
		if err := checkTargetPlatform(p); err != nil {
			return nil, fmt.Errorf("Platforms: %w", err)
		}
	}
	ctxDir, err := filepath.Abs(sc.contextDir)
	if err != nil {
		return nil, err
	}
	excludes, err := readDockerignore(ctxDir)
	if err != nil {
		return nil, err
	}
	ctxFS, err := fsutil.NewFS(ctxDir)
	if err != nil {
		return nil, fmt.Errorf("build context %s: %w", ctxDir, err)
	}
	var attachables []session.Attachable
	if len(sc.secrets) > 0 {
		store, err := secretsprovider.NewStore(sc.secrets)
		if err != nil {
			return nil, fmt.Errorf("secrets: %w", err)
		}
		attachables = append(attachables, secretsprovider.NewSecretProvider(store))
	}
	if len(sc.ssh) > 0 {
		agent, err := sshprovider.NewSSHAgentProvider(sc.ssh)
		if err != nil {
			return nil, fmt.Errorf("ssh agent: %w", err)
		}
		attachables = append(attachables, agent)
	}
	solveOpt := client.SolveOpt{
		Exports:      sc.exports,
		CacheImports: sc.cacheImports,
		CacheExports: sc.cacheExports,
		LocalMounts:  map[string]fsutil.FS{"context": ctxFS},
		SharedKey:    contextSharedKey(ctxDir),
		Session:      attachables,
		// Not nil: with cache imports, BuildKit v0.34's client copies
		// attributes into this map and panics on a nil one.
		FrontendAttrs: map[string]string{},
	}

	images := map[string]ocispecs.Image{}
	var mu sync.Mutex
	// A refusal of the build found inside the build function, where the
	// daemon's capabilities are known, reaches c.Build's caller only as
	// the text of a gRPC status: it is kept to be returned as it is.
	var refusal error
	buildFunc := func(ctx context.Context, gw gwclient.Client) (*gwclient.Result, error) {
		copts := compile.Options{
			Resolver: gw,
			// Every answer is a round trip to the daemon.
			ResolveConcurrently: true,
			BuildArgs:           cfg.buildArgs,
			ContextName:         "context",
			ContextExclude:      excludes,
			ContextUniqueID:     digest.FromString(ctxDir).Encoded()[:25],
			OnBuildTrigger:      onBuildTrigger,
			MaxExpandedValue:    cfg.maxExpandedValue,
			MaxExpandedTotal:    cfg.maxExpandedTotal,
		}
		// Compiled for the daemon in front of us, as the Dockerfile
		// frontend compiles for the LLBCaps of its gateway.
		caps := compile.Intersect(gw.BuildOpts().LLBCaps, cfg.caps)
		copts.Caps = &caps
		if ws := gw.BuildOpts().Workers; len(ws) > 0 && len(ws[0].Platforms) > 0 {
			bp := platforms.Normalize(ws[0].Platforms[0])
			copts.BuildPlatform = &bp
		}
		cacheImports, err := gatewayCacheImports(gw.BuildOpts().Opts)
		if err != nil {
			return nil, err
		}
		targets := sc.platforms
		if len(targets) == 0 {
			if cfg.platform != nil {
				targets = []ocispecs.Platform{*cfg.platform}
			} else {
				targets = []ocispecs.Platform{{}}
			}
		}
		res := gwclient.NewResult()
		var exp exptypes.Platforms
		for _, p := range targets {
			po := copts
			if p.OS != "" {
				p := platforms.Normalize(p)
				po.Platform = &p
			}
			out, err := compile.Compile(ctx, m, po)
			if err != nil {
				refusal = compileError(err)
				return nil, refusal
			}
			if out.Epoch != nil && caps.Supports(pb.CapSourceDateEpoch) != nil {
				// An older exporter would ignore it: the image would not
				// be the one asked for.
				refusal = compile.UnsupportedError("SOURCE_DATE_EPOCH", pb.CapSourceDateEpoch)
				return nil, refusal
			}
			r, err := gw.Solve(ctx, gwclient.SolveRequest{Definition: out.Definition.ToPB(), CacheImports: cacheImports})
			if err != nil {
				return nil, err
			}
			ref, err := r.SingleRef()
			if err != nil {
				return nil, err
			}
			config, err := json.Marshal(out.Image)
			if err != nil {
				return nil, err
			}
			actual := platforms.Normalize(ocispecs.Platform{OS: out.Image.OS, Architecture: out.Image.Architecture, Variant: out.Image.Variant})
			key := platforms.FormatAll(actual)
			img := out.Image.Image
			img.Config = out.Image.Config.ImageConfig
			mu.Lock()
			images[key] = img
			mu.Unlock()
			if err := sc.inspectBuilt(ctx, &Built{Gateway: gw, Ref: ref, Image: img, Platform: key}); err != nil {
				refusal = err
				return nil, err
			}
			// SOURCE_DATE_EPOCH reaches the exporters as the Dockerfile
			// frontend passes it (dockerui.Client.Build).
			var epoch []byte
			if out.Epoch != nil {
				epoch = []byte(strconv.FormatInt(out.Epoch.Unix(), 10))
			}
			// With the base image's own config the exporter keeps its
			// history and layers as they are under SOURCE_DATE_EPOCH.
			if len(targets) == 1 {
				res.SetRef(ref)
				res.AddMeta(exptypes.ExporterImageConfigKey, config)
				if out.BaseConfig != nil {
					res.AddMeta(exptypes.ExporterImageBaseConfigKey, out.BaseConfig)
				}
				if epoch != nil {
					res.AddMeta(commonexptypes.ExporterEpochKey, epoch)
				}
			} else {
				res.AddRef(key, ref)
				res.AddMeta(exptypes.ExporterImageConfigKey+"/"+key, config)
				if out.BaseConfig != nil {
					res.AddMeta(exptypes.ExporterImageBaseConfigKey+"/"+key, out.BaseConfig)
				}
				if epoch != nil {
					res.AddMeta(commonexptypes.ExporterEpochKey+"/"+key, epoch)
				}
				exp.Platforms = append(exp.Platforms, exptypes.Platform{ID: key, Platform: actual})
			}
		}
		if len(targets) > 1 {
			dt, err := json.Marshal(exp)
			if err != nil {
				return nil, err
			}
			res.AddMeta(exptypes.ExporterPlatformsKey, dt)
		}
		return res, nil
	}

	ch := make(chan *client.SolveStatus)
	displayed := make(chan error, 1)
	statusOwned = true
	go func() { displayed <- runDisplay(ctx, display, sc.statusCh, ch) }()
	resp, err := c.Build(ctx, solveOpt, "multistage", buildFunc, ch)
	derr := <-displayed
	if err != nil && refusal != nil {
		err = refusal
	}
	if load != nil {
		var exp map[string]string
		if resp != nil {
			exp = resp.ExporterResponse
		}
		if lerr := load.finish(ctx, err, exp); lerr != nil {
			err = lerr
		}
	}
	if err != nil {
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			err = fmt.Errorf("%w: %w", cerr, err)
		}
		return nil, err
	}
	if derr != nil {
		return nil, derr
	}
	var cerrs []error
	for _, o := range sc.outputs {
		cerrs = append(cerrs, o.commit())
	}
	if err := errors.Join(cerrs...); err != nil {
		return nil, err
	}
	out := &SolveResult{Images: images, ExporterResponse: resp.ExporterResponse}
	if d, ok := resp.ExporterResponse[exptypes.ExporterImageDigestKey]; ok {
		out.Digest = digest.Digest(d)
	}
	if d, ok := resp.ExporterResponse[exptypes.ExporterImageDescriptorKey]; ok {
		if dt, err := base64.StdEncoding.DecodeString(d); err == nil {
			var desc ocispecs.Descriptor
			if json.Unmarshal(dt, &desc) == nil {
				out.Size = desc.Size
			}
		}
	}
	for _, f := range sc.files {
		if st, err := os.Stat(f); err == nil {
			out.Size = st.Size()
		}
	}
	return out, nil
}

// gatewayCacheImports returns the cache imports that the client passed to
// the build function. In a gateway build, BuildKit hands them over as the
// "cache-imports" attribute (with local caches already opened and pinned
// by digest) instead of applying them: the build function must pass them
// on to its solves, as the Dockerfile frontend does.
func gatewayCacheImports(attrs map[string]string) ([]gwclient.CacheOptionsEntry, error) {
	s := attrs["cache-imports"]
	if s == "" {
		return nil, nil
	}
	var entries []struct {
		Type  string            `json:"Type"`
		Attrs map[string]string `json:"Attrs"`
	}
	if err := json.Unmarshal([]byte(s), &entries); err != nil {
		return nil, fmt.Errorf("cache imports: %w", err)
	}
	out := make([]gwclient.CacheOptionsEntry, len(entries))
	for i, e := range entries {
		out[i] = gwclient.CacheOptionsEntry{Type: e.Type, Attrs: e.Attrs}
	}
	return out, nil
}

// runDisplay shows the build's status on d (none when nil) and forwards it
// to forward (when not nil), which it closes.
func runDisplay(ctx context.Context, d *progressui.Display, forward chan<- *client.SolveStatus, ch chan *client.SolveStatus) error {
	src := ch
	if forward != nil {
		tee := make(chan *client.SolveStatus)
		go func() {
			defer close(forward)
			defer close(tee)
			for s := range ch {
				forward <- s
				tee <- s
			}
		}()
		src = tee
	}
	if d == nil {
		for range src {
		}
		return nil
	}
	_, err := d.UpdateFrom(context.WithoutCancel(ctx), src)
	return err
}

// readDockerignore returns the patterns of dir/.dockerignore, if any.
func readDockerignore(dir string) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, ".dockerignore"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("reading .dockerignore: %w", err)
	}
	return slices.Clip(patterns), nil
}

// contextSharedKey names the build context directory to the daemon, which
// keeps one copy of a context per shared key and brings it up to date by
// sending only what changed. Without one, every build of every directory
// shares the daemon's one copy, so a build sends all of its context again
// after another directory's, and builds of different directories take
// turns updating the same copy. BuildKit's own note on it asks for the
// absolute path and the machine, as here.
func contextSharedKey(ctxDir string) string {
	host, _ := os.Hostname()
	return digest.FromString("multistage-context:" + host + ":" + ctxDir).Encoded()
}
