package compile

import (
	"context"
	"slices"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// The image config of every stage starts as the config of its base, and a
// stage based on a stage of a long chain would copy the whole chain's
// history, environment and labels. What grows with the chain is shared
// instead, so that compiling stays linear in stages and instructions:

// history is the history of a stage's image: a persistent list, newest
// entry first, that a stage based on this one extends without copying.
// The root holds the history of the base image.
type history struct {
	prev  *history
	entry ocispecs.History
	root  bool               // the history of the base image, in base
	base  []ocispecs.History // at the root only
}

// add returns the history with h appended.
func (h *history) add(e ocispecs.History) *history {
	return &history{prev: h, entry: e}
}

// entries returns the history as the image config holds it, oldest first.
func (h *history) entries() []ocispecs.History {
	var out []ocispecs.History
	var base []ocispecs.History
	for ; h != nil; h = h.prev {
		if h.root {
			base = h.base
			break
		}
		out = append(out, h.entry)
	}
	slices.Reverse(out)
	if len(base) == 0 && len(out) == 0 {
		return nil
	}
	return append(slices.Clip(base), out...)
}

// stateEnv is the environment of a stage's LLB state, the one variables
// are expanded against, kept here as a map: llb's EnvList builds a map of
// every variable for each lookup after a change, which is quadratic in
// the number of ENV instructions. A stage based on another shares its map
// until it changes a value.
type stateEnvMap struct {
	m      map[string]string
	shared bool
}

func newStateEnv() *stateEnvMap { return &stateEnvMap{m: map[string]string{}} }

// share returns the environment for a stage based on this one.
func (e *stateEnvMap) share() *stateEnvMap {
	e.shared = true
	return &stateEnvMap{m: e.m, shared: true}
}

// set sets k, as llb's State.AddEnv does.
func (e *stateEnvMap) set(k, v string) {
	if old, ok := e.m[k]; ok && old == v {
		return
	}
	if e.shared {
		e.m, e.shared = cloneMap(e.m), false
	}
	e.m[k] = v
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Get implements shell.EnvGetter.
func (e *stateEnvMap) Get(k string) (string, bool) {
	v, ok := e.m[k]
	return v, ok
}

// Keys implements shell.EnvGetter; the lexer does not call it.
func (e *stateEnvMap) Keys() []string {
	keys := make([]string, 0, len(e.m))
	for k := range e.m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// foldEnvKeys: the frontend compares env keys case-insensitively where
// shell.EqualEnvKeys does (a Windows host).
var foldEnvKeys = shell.EqualEnvKeys("a", "A")

func envIndexKey(k string) string {
	if foldEnvKeys {
		return strings.ToUpper(k)
	}
	return k
}

// addImageEnv sets k in the image config's Env, replacing the entry of the
// same key in place (as the frontend's addEnv does), in constant time.
func (s *stageState) addImageEnv(k, v string) {
	env := s.image.Config.Env
	if s.envIndex == nil {
		s.envIndex = make(map[string]int, len(env))
		for i, e := range env {
			key, _, _ := strings.Cut(e, "=")
			if _, ok := s.envIndex[envIndexKey(key)]; !ok {
				s.envIndex[envIndexKey(key)] = i
			}
		}
	}
	if i, ok := s.envIndex[envIndexKey(k)]; ok {
		env[i] = k + "=" + v
		return
	}
	s.envIndex[envIndexKey(k)] = len(env)
	s.image.Config.Env = append(env, k+"="+v)
}

// restate returns a state with the output of st and the values its ops
// read (platform, working directory, environment in its order), but
// none of st's history of values: a state based on another extends its
// chain of values, which llb evaluates from the start for every op (and
// sizes a map of the environment by the length of that chain), so that a
// chain of stages, each based on the one before, would be quadratic. The
// ops are those st would give: llb marshals outputs, not values. The
// user, the hostname and the network are set by dispatch for every stage
// (the user from the image config, which USER sets with the state's).
func restate(ctx context.Context, st llb.State) (llb.State, error) {
	p, err := st.GetPlatform(ctx)
	if err != nil {
		return llb.State{}, err
	}
	dir, err := st.GetDir(ctx)
	if err != nil {
		return llb.State{}, err
	}
	env, err := st.Env(ctx)
	if err != nil {
		return llb.State{}, err
	}
	out := llb.NewState(st.Output())
	if p != nil {
		out = out.Platform(*p)
	}
	out = out.Dir(dir)
	for _, k := range env.Keys() {
		v, _ := env.Get(k)
		out = out.AddEnv(k, v)
	}
	return out, nil
}
