package multistage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"weak"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	dockerclient "github.com/moby/moby/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Load puts the built image into Docker Engine's image store as name (such
// as "app:dev"), ready for "docker run name". Given several times, the
// image gets every name.
//
// When the build runs on Docker Engine itself (a client of [Dial] with
// "docker", or any client whose daemon is Docker Engine's BuildKit), the
// engine stores the image directly (BuildKit's "moby" exporter). On any
// other BuildKit, the image is exported as a docker tarball and streamed
// into the Engine API's image load of the Docker Engine at DOCKER_HOST (or
// the current docker context, as [Dial] finds it), which is checked before
// the build starts.
//
// An image of several platforms ([Platforms]) is refused before the build,
// as buildx refuses it, unless the build runs on a Docker Engine whose
// image store is containerd's: Docker Engine's classic image store, and
// the docker tarball of the other route, hold one platform per image.
//
// The name is set only once the image is complete in the engine: a build
// or export that fails, or is cancelled, leaves every existing image with
// that name as it was. (The tarball is loaded untagged, and tagged only
// when both the build and the load succeeded.)
func Load(name string) SolveOption {
	return solveFunc(func(c *solveConfig) {
		if !c.imageName("Load", name) {
			return
		}
		c.loads = append(c.loads, name)
	})
}

// engineKey is a Dial("docker") client, held weakly.
type engineKey = weak.Pointer[client.Client]

// engines are the clients Dial connected to Docker Engine.
var engines sync.Map // engineKey -> struct{}

// markEngine records that c talks to Docker Engine's BuildKit.
func markEngine(c *client.Client) {
	k := weak.Make(c)
	engines.Store(k, struct{}{})
	runtime.AddCleanup(c, func(k engineKey) { engines.Delete(k) }, k)
}

// mobyExporter is the exporter of Docker Engine's BuildKit that stores
// the image in the engine.
const mobyExporter = "moby"

// mobyWorkerID is the worker of Docker Engine's built-in BuildKit.
const mobyWorkerID = "moby"

// isEngine reports whether c's daemon is Docker Engine's BuildKit.
func isEngine(ctx context.Context, c *client.Client) (bool, error) {
	if _, ok := engines.Load(weak.Make(c)); ok {
		return true, nil
	}
	ws, err := c.ListWorkers(ctx)
	if err != nil {
		return false, fmt.Errorf("%w: %w", ErrDial, err)
	}
	for _, w := range ws {
		if w.ID == mobyWorkerID {
			return true, nil
		}
	}
	return false, nil
}

// checkLoadPlatforms refuses, before the build, a Load of an image of
// several platforms where the engine cannot store it, as buildx refuses
// --load of several platforms: Docker Engine's classic image store holds
// one platform per image (its BuildKit's exporter fails on several), and
// the docker tarball that another BuildKit streams into the engine holds
// one platform.
func checkLoadPlatforms(ctx context.Context, onEngine bool, ps []ocispecs.Platform) error {
	seen := map[string]bool{}
	for _, p := range ps {
		seen[platforms.FormatAll(platforms.Normalize(p))] = true
	}
	if len(seen) < 2 {
		return nil
	}
	if !onEngine {
		return fmt.Errorf("Load: %w: %d platforms: the docker tarball that BuildKit streams into Docker Engine holds one platform; Load one platform, or Push the multi-platform image", ErrInvalidValue, len(seen))
	}
	dc, host, err := dockerEngine()
	if err != nil {
		return fmt.Errorf("Load: %w", err)
	}
	defer dc.Close()
	info, err := dc.Info(ctx, dockerclient.InfoOptions{})
	if err != nil {
		return fmt.Errorf("Load: %w: Docker Engine at %s: %s", ErrDial, host, oneLine(err))
	}
	for _, kv := range info.Info.DriverStatus {
		if kv[0] == "driver-type" && kv[1] == "io.containerd.snapshotter.v1" {
			return nil // the containerd image store holds image indexes
		}
	}
	return fmt.Errorf("Load: %w: %d platforms: Docker Engine at %s stores one platform per image (its image store is not containerd's); Load one platform, or Push the multi-platform image", ErrInvalidValue, len(seen), host)
}

// engineLoad streams a docker tarball export into an Engine API image
// load, and tags the loaded image once the build and the load succeeded.
type engineLoad struct {
	dc    *dockerclient.Client
	host  string
	names []string

	mu      sync.Mutex
	pw      *io.PipeWriter
	started bool
	done    chan loadResult
}

type loadResult struct {
	id  string // the loaded image's ID, as the engine reports it
	err error
}

// newEngineLoad connects to the Docker Engine the image is loaded into.
func newEngineLoad(ctx context.Context, names []string) (*engineLoad, error) {
	dc, host, err := dockerEngine()
	if err != nil {
		return nil, fmt.Errorf("Load: %w", err)
	}
	if _, err := dc.Ping(ctx, dockerclient.PingOptions{NegotiateAPIVersion: true}); err != nil {
		dc.Close()
		return nil, fmt.Errorf("Load: %w: Docker Engine at %s: %s", ErrDial, host, oneLine(err))
	}
	return &engineLoad{dc: dc, host: host, names: names, done: make(chan loadResult, 1)}, nil
}

// export is the docker tarball exporter whose output goes to the engine.
// No name is given, so the tarball tags nothing by itself.
func (l *engineLoad) export(ctx context.Context) client.ExportEntry {
	return client.ExportEntry{
		Type: client.ExporterDocker,
		Output: func(map[string]string) (io.WriteCloser, error) {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.started {
				return nil, errors.New("Load: the exporter opened its output twice")
			}
			pr, pw := io.Pipe()
			l.pw, l.started = pw, true
			go func() {
				id, err := l.load(ctx, pr)
				// The result first: when the engine gave up, the build
				// fails on the closed pipe, and finish finds the cause.
				l.done <- loadResult{id: id, err: err}
				pr.CloseWithError(err) // unblocks the exporter if the engine gave up
			}()
			// The exporter's Close does not end the stream: finish does,
			// once the build succeeded, so that the engine never takes
			// a cut stream for a whole tarball.
			return nopCloser{pw}, nil
		},
	}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// load posts r to the engine's image load and returns the loaded image's
// ID.
func (l *engineLoad) load(ctx context.Context, r io.Reader) (string, error) {
	resp, err := l.dc.ImageLoad(ctx, r, dockerclient.ImageLoadWithQuiet(true))
	if err != nil {
		return "", err
	}
	defer resp.Close()
	return readLoadResponse(resp)
}

// readLoadResponse reads the JSON messages of an image load and returns
// the ID of the image it loaded ("Loaded image ID: sha256:..."), "" when
// the engine did not say.
func readLoadResponse(r io.Reader) (string, error) {
	dec := json.NewDecoder(r)
	id := ""
	for {
		var m struct {
			Stream      string `json:"stream"`
			Error       string `json:"error"`
			ErrorDetail *struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			return "", err
		}
		if m.ErrorDetail != nil && m.ErrorDetail.Message != "" {
			return "", errors.New(m.ErrorDetail.Message)
		}
		if m.Error != "" {
			return "", errors.New(m.Error)
		}
		if s, ok := strings.CutPrefix(strings.TrimSpace(m.Stream), "Loaded image ID: "); ok {
			id = s
		}
	}
	return id, nil
}

// finish ends the load: after a successful build it closes the stream,
// waits for the engine and tags the image; after a failed one it aborts
// the stream, so that the engine loads nothing. It returns the error of
// the load, also when the build failed because the engine had given up
// (the exporter then reports only a closed pipe).
func (l *engineLoad) finish(ctx context.Context, buildErr error, resp map[string]string) error {
	l.mu.Lock()
	started, pw := l.started, l.pw
	l.mu.Unlock()
	if buildErr != nil {
		if !started {
			return nil
		}
		select {
		case res := <-l.done:
			if res.err != nil && ctx.Err() == nil {
				return fmt.Errorf("Load: loading into Docker Engine at %s: %s", l.host, oneLine(res.err))
			}
		default:
			pw.CloseWithError(buildErr)
			<-l.done
		}
		return nil
	}
	if !started {
		return fmt.Errorf("Load: the daemon exported no image")
	}
	pw.Close()
	res := <-l.done
	if res.err != nil {
		return fmt.Errorf("Load: loading into Docker Engine at %s: %s", l.host, oneLine(res.err))
	}
	id := res.id
	if id == "" {
		id = resp[exptypes.ExporterImageConfigDigestKey]
	}
	if id == "" {
		return fmt.Errorf("Load: Docker Engine at %s did not say which image it loaded", l.host)
	}
	for _, n := range l.names {
		if _, err := l.dc.ImageTag(ctx, dockerclient.ImageTagOptions{Source: id, Target: n}); err != nil {
			return fmt.Errorf("Load: tagging %s as %q: %s", id, n, oneLine(err))
		}
	}
	return nil
}

// close aborts a stream that finish did not end (Solve returned before or
// during the build) and closes the Engine API client.
func (l *engineLoad) close() {
	l.mu.Lock()
	pw := l.pw
	l.mu.Unlock()
	if pw != nil {
		pw.CloseWithError(errors.New("Load: the build ended"))
	}
	l.dc.Close()
}
