package multistage

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/multistage/multistage/internal/ir"
)

// lower checks the build and turns it into the IR both backends read: the
// stages the output needs, ordered so that every stage comes after the
// stages it uses and the target comes last. It reports every problem it
// finds, joined.
func (b *Build) lower(cfg *config) (*ir.Build, string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()

	var errs []error
	errs = append(errs, b.errs...)
	if len(b.stages) == 0 {
		return nil, "", ErrNoStages
	}
	declared := map[string]bool{}
	for _, a := range b.args {
		declared[a.arg.Name] = true
	}
	for _, s := range b.stages {
		if err := checkPlatformArg(s, declared); err != nil {
			errs = append(errs, err) // the FROM line's, so first
		}
		errs = append(errs, s.errs...)
		if !s.baseSet {
			errs = append(errs, &InstructionError{Stage: s.name, Index: -1, Instruction: "FROM", Err: ErrNoBase})
		}
	}
	if cfg.syntax != "" {
		if err := checkImageRef(cfg.syntax); err != nil {
			errs = append(errs, fmt.Errorf("syntax directive: %w", err))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(cfg.buildArgs)) {
		if err := checkEnvKey("build arg", k); err != nil {
			errs = append(errs, fmt.Errorf("BuildArg: %w", err))
		}
	}
	if cfg.platform != nil {
		if err := checkTargetPlatform(*cfg.platform); err != nil {
			errs = append(errs, fmt.Errorf("WithPlatform: %w", err))
		}
	}

	target := b.stages[len(b.stages)-1]
	if cfg.target != nil {
		if cfg.target.build != b {
			errs = append(errs, fmt.Errorf("target: %w: %q", ErrForeignStage, cfg.target.name))
		} else {
			target = cfg.target
		}
	}
	if err := checkCycles(b.stages); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, "", errors.Join(errs...)
	}

	order, err := outputOrder(b.stages, target, cfg.target != nil)
	if err != nil {
		return nil, "", err
	}

	index := make(map[*Stage]int, len(order))
	names := make(map[string]bool, len(order))
	for i, s := range order {
		index[s] = i
		names[s.name] = true
	}
	// An image whose name is also a stage name, or a number, would be read
	// by BuildKit as that stage: write such refs fully qualified.
	image := func(ref string) string {
		if ref == "scratch" {
			return ref
		}
		if names[strings.ToLower(ref)] || isNumber(ref) {
			return normalizeImageRef(ref)
		}
		return ref
	}
	source := func(src ir.Source, from *Stage) ir.Source {
		if from != nil {
			return ir.StageSource(index[from])
		}
		if src.Image != "" && !src.ExpandImage {
			src.Image = image(src.Image)
		}
		return src
	}

	m := &ir.Build{Syntax: cfg.syntax}
	for _, a := range b.args {
		m.Args = append(m.Args, a.arg)
	}
	for _, s := range order {
		st := &ir.Stage{Name: s.name, Platform: s.platform, Base: source(s.base, s.baseFrom)}
		for _, in := range s.instrs {
			switch x := in.ir.(type) {
			case *ir.Copy:
				cp := *x
				cp.From = source(x.From, in.from)
				st.Instructions = append(st.Instructions, &cp)
			case *ir.Run:
				r := *x
				r.Mounts = append([]ir.Mount(nil), x.Mounts...)
				for i := range r.Mounts {
					var from *Stage
					if i < len(in.mount) {
						from = in.mount[i]
					}
					r.Mounts[i].From = source(r.Mounts[i].From, from)
				}
				st.Instructions = append(st.Instructions, &r)
			default:
				st.Instructions = append(st.Instructions, in.ir)
			}
		}
		m.Stages = append(m.Stages, st)
	}
	return m, target.name, nil
}

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// deps returns the stages s uses, in the order it uses them: also those
// that the ONBUILD triggers of its base stage name, which run in s.
func (s *Stage) deps() []*Stage {
	var out []*Stage
	if s.baseFrom != nil {
		out = append(out, s.baseFrom)
		for _, in := range s.baseFrom.instrs {
			if ob, ok := in.ir.(*ir.OnBuild); ok {
				out = append(out, s.build.triggerStages(ob)...)
			}
		}
	}
	for _, in := range s.instrs {
		if in.from != nil {
			out = append(out, in.from)
		}
		for _, m := range in.mount {
			if m != nil {
				out = append(out, m)
			}
		}
	}
	return out
}

// checkCycles reports a cycle through FromStage, CopyFrom or MountFrom,
// naming the stages on it.
func checkCycles(stages []*Stage) error {
	const (
		unseen = iota
		active
		done
	)
	state := make(map[*Stage]int, len(stages))
	var path []*Stage
	var visit func(s *Stage) error
	visit = func(s *Stage) error {
		switch state[s] {
		case active:
			var names []string
			start := 0
			for i, p := range path {
				if p == s {
					start = i
				}
			}
			for _, p := range path[start:] {
				names = append(names, p.name)
			}
			names = append(names, s.name)
			return fmt.Errorf("%w: %s", ErrCycle, strings.Join(names, " -> "))
		case done:
			return nil
		}
		state[s] = active
		path = append(path, s)
		for _, d := range s.deps() {
			if err := visit(d); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		state[s] = done
		return nil
	}
	for _, s := range stages {
		if err := visit(s); err != nil {
			return err
		}
	}
	return nil
}

// outputOrder returns the stages to output: all of them, or only what the
// target needs when onlyNeeded is set. Stages keep the order they were added
// in, except that a stage comes after the stages it uses, and the target
// comes last.
func outputOrder(stages []*Stage, target *Stage, onlyNeeded bool) ([]*Stage, error) {
	include := make(map[*Stage]bool, len(stages))
	if onlyNeeded {
		include = neededBy(stages, target)
	} else {
		for _, s := range stages {
			include[s] = true
		}
	}

	usesTarget := usersOf(target)
	placed := make(map[*Stage]bool, len(stages))
	var order []*Stage
	var place func(*Stage)
	place = func(s *Stage) {
		if placed[s] {
			return
		}
		placed[s] = true
		for _, d := range s.deps() {
			place(d)
		}
		order = append(order, s)
	}
	for _, s := range stages {
		if include[s] && s != target {
			// Stages that use the target must come after it.
			if usesTarget(s) {
				return nil, fmt.Errorf("%w: stage %q uses target stage %q; pass Target to choose the target", ErrTargetNotLast, s.name, target.name)
			}
			place(s)
		}
	}
	place(target)
	return order, nil
}

// neededBy returns the stages that building target needs: target, the
// stages it uses, and theirs.
func neededBy(stages []*Stage, target *Stage) map[*Stage]bool {
	include := make(map[*Stage]bool, len(stages))
	var mark func(*Stage)
	mark = func(s *Stage) {
		if include[s] {
			return
		}
		include[s] = true
		for _, d := range s.deps() {
			mark(d)
		}
		// A base chosen through a build arg (FromExpand) may name any
		// earlier stage, which is known only when the build runs.
		if s.base.ExpandImage {
			for _, e := range stages[:s.index] {
				mark(e)
			}
		}
	}
	mark(target)
	return include
}

// usersOf returns a predicate telling whether a stage uses t, directly or
// through other stages. Answers are memoized so that asking about every
// stage of a build stays linear in its size; the graph has no cycles here.
func usersOf(t *Stage) func(*Stage) bool {
	memo := map[*Stage]bool{}
	var uses func(*Stage) bool
	uses = func(x *Stage) bool {
		if u, ok := memo[x]; ok {
			return u
		}
		memo[x] = false
		for _, d := range x.deps() {
			if d == t || uses(d) {
				memo[x] = true
				return true
			}
		}
		return false
	}
	return uses
}

// triggerStages returns the stages of b that the triggers of ob copy or
// mount from, by name, as BuildKit looks them up when the triggers run.
func (b *Build) triggerStages(ob *ir.OnBuild) []*Stage {
	var out []*Stage
	for _, name := range ob.SourceNames() {
		for _, st := range b.stages {
			if strings.EqualFold(st.name, name) {
				out = append(out, st)
				break
			}
		}
	}
	return out
}

// automaticArgs are the build args BuildKit sets before the first stage.
var automaticArgs = map[string]bool{
	"BUILDPLATFORM": true, "BUILDOS": true, "BUILDOSVERSION": true, "BUILDARCH": true, "BUILDVARIANT": true,
	"TARGETPLATFORM": true, "TARGETOS": true, "TARGETOSVERSION": true, "TARGETARCH": true, "TARGETVARIANT": true,
	"TARGETSTAGE": true,
}

// checkPlatformArg refuses a stage platform that refers to a build arg
// that is neither automatic nor declared before the first stage (in
// declared): BuildKit expands FROM --platform with those args only, and
// would find it empty.
func checkPlatformArg(s *Stage, declared map[string]bool) error {
	if !strings.Contains(s.platform, "$") {
		return nil
	}
	for _, name := range wordVars(s.platform) {
		if automaticArgs[name] || declared[name] {
			continue
		}
		return &InstructionError{Stage: s.name, Index: -1, Instruction: "FROM",
			Err: valueError(ErrInvalidValue, "platform", s.platform, name+" is no build arg declared with Build.Arg, which FROM --platform could use")}
	}
	return nil
}
