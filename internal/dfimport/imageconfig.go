package dfimport

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// imageConfig maps an instruction that changes only the image config:
// ENV, USER, LABEL, EXPOSE, VOLUME, CMD, ENTRYPOINT and the like.
func (w *walker) imageConfig(cmd instructions.Command) error {
	switch c := cmd.(type) {
	case *instructions.EnvCommand:
		return w.env(c)
	case *instructions.UserCommand:
		v, used, err := w.word(c.User)
		if err != nil {
			return err
		}
		if used {
			raw, err := w.template("user", c.User)
			if err != nil {
				return err
			}
			w.add("UserExpand", raw)
		} else {
			w.add("User", v)
		}
	case *instructions.LabelCommand:
		for _, kv := range c.Labels {
			k, keyVars, err := w.word(kv.Key)
			if err != nil {
				return err
			}
			v, used, err := w.word(kv.Value)
			if err != nil {
				return err
			}
			if keyVars || used {
				// LabelExpand expands the key too: it takes the raw
				// word, not the processed one (LABEL \\0 $0 is key \0).
				rk, err := w.template("label key", kv.Key)
				if err != nil {
					return err
				}
				rv, err := w.template("label value", kv.Value)
				if err != nil {
					return err
				}
				w.add("LabelExpand", rk, rv)
				continue
			}
			w.add("Label", k, v)
		}
	case *instructions.ExposeCommand:
		return w.expose(c)
	case *instructions.VolumeCommand:
		// One call: with a variable in any path, every path goes raw to
		// VolumeExpand.
		paths := make([]any, len(c.Volumes))
		expand := false
		for i, p := range c.Volumes {
			v, used, err := w.word(p)
			if err != nil {
				return err
			}
			paths[i], expand = v, expand || used
		}
		if !expand {
			w.add("Volume", paths...)
			return nil
		}
		for i, p := range c.Volumes {
			raw, err := w.template("volume", p)
			if err != nil {
				return err
			}
			paths[i] = raw
		}
		w.add("VolumeExpand", paths...)
	case *instructions.StopSignalCommand:
		v, used, err := w.word(c.Signal)
		if err != nil {
			return err
		}
		if used {
			raw, err := w.template("signal", c.Signal)
			if err != nil {
				return err
			}
			w.add("StopSignalExpand", raw)
			return nil
		}
		w.add("StopSignal", v)
	case *instructions.ShellCommand:
		w.add("Shell", strs(c.Shell)...)
	case *instructions.CmdCommand:
		if c.PrependShell {
			if len(c.CmdLine) == 0 {
				return w.unsupported("an empty CMD has no API: BuildKit runs the shell with an empty command, and CmdShell needs a command")
			}
			if len(c.CmdLine) != 1 || len(c.Files) > 0 {
				return w.unsupported("unexpected shell-form CMD %q", c.CmdLine)
			}
			w.add("CmdShell", c.CmdLine[0])
			return nil
		}
		if len(c.CmdLine) == 0 {
			w.add("ClearCmd")
			return nil
		}
		w.add("Cmd", strs(c.CmdLine)...)
	case *instructions.EntrypointCommand:
		if c.PrependShell {
			if len(c.CmdLine) == 0 {
				return w.unsupported("an empty ENTRYPOINT has no API: BuildKit runs the shell with an empty command, and EntrypointShell needs a command")
			}
			if len(c.CmdLine) != 1 || len(c.Files) > 0 {
				return w.unsupported("unexpected shell-form ENTRYPOINT %q", c.CmdLine)
			}
			w.add("EntrypointShell", c.CmdLine[0])
			return nil
		}
		if len(c.CmdLine) == 0 {
			w.add("ClearEntrypoint")
			return nil
		}
		w.add("Entrypoint", strs(c.CmdLine)...)
	case *instructions.HealthCheckCommand:
		return w.healthcheck(c)
	case *instructions.OnbuildCommand:
		return w.onbuild(c)
	case *instructions.MaintainerCommand:
		w.add("Maintainer", c.Maintainer)
	default:
		return w.unsupported("instruction %s has no API", cmd.Name())
	}
	return nil
}

var portSpec = regexp.MustCompile(`^(\d+)(?:-(\d+))?(?:/(tcp|udp|sctp))?$`)

// expose maps EXPOSE to Expose, ExposeUDP and ExposeSCTP for plain ports
// and ranges, and every other word (a variable, a host part, a protocol in
// capitals, a port the frontend refuses) to ExposeExpand, which reads it
// as the frontend does.
func (w *walker) expose(c *instructions.ExposeCommand) error {
	byProto := map[string][]int{}
	var specs []string
	for _, p := range c.Ports {
		if ports, proto, ok := plainPorts(p); ok {
			byProto[proto] = append(byProto[proto], ports...)
			continue
		}
		raw, err := w.template("port spec", p)
		if err != nil {
			return err
		}
		specs = append(specs, raw)
	}
	for _, pf := range [...][2]string{{"tcp", "Expose"}, {"udp", "ExposeUDP"}, {"sctp", "ExposeSCTP"}} {
		if ports := byProto[pf[0]]; len(ports) > 0 {
			w.add(pf[1], ints(ports)...)
		}
	}
	for _, spec := range specs {
		w.add("ExposeExpand", spec)
	}
	return nil
}

// plainPorts reads a port or a short range of ports in 1-65535, with an
// optional lowercase protocol.
func plainPorts(p string) ([]int, string, bool) {
	m := portSpec.FindStringSubmatch(p)
	if m == nil {
		return nil, "", false
	}
	lo, err1 := strconv.Atoi(m[1])
	hi := lo
	var err2 error
	if m[2] != "" {
		hi, err2 = strconv.Atoi(m[2])
	}
	if err1 != nil || err2 != nil || lo < 1 || hi > 65535 || hi < lo || hi-lo > 1024 {
		return nil, "", false
	}
	proto := m[3]
	if proto == "" {
		proto = "tcp"
	}
	var ports []int
	for n := lo; n <= hi; n++ {
		ports = append(ports, n)
	}
	return ports, proto, true
}

func ints(v []int) []any {
	out := make([]any, len(v))
	for i, n := range v {
		out[i] = n
	}
	return out
}

func (w *walker) healthcheck(c *instructions.HealthCheckCommand) error {
	h := c.Health
	if h == nil || len(h.Test) == 0 {
		return w.unsupported("healthcheck without a test")
	}
	var opts []any
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"Interval", h.Interval}, {"Timeout", h.Timeout}, {"StartPeriod", h.StartPeriod}, {"StartInterval", h.StartInterval}} {
		if d.v != 0 {
			opts = append(opts, opt(d.name, d.v))
		}
	}
	if h.Retries != 0 {
		opts = append(opts, opt("Retries", h.Retries))
	}
	switch h.Test[0] {
	case "NONE":
		w.add("NoHealthcheck")
	case "CMD":
		if len(h.Test) < 2 {
			return w.unsupported("HEALTHCHECK CMD [] has no command")
		}
		w.add("Healthcheck", append([]any{h.Test[1:]}, opts...)...)
	case "CMD-SHELL":
		if len(h.Test) != 2 {
			return w.unsupported("unexpected shell healthcheck %q", h.Test)
		}
		w.add("HealthcheckShell", append([]any{h.Test[1]}, opts...)...)
	default:
		return w.unsupported("unknown healthcheck type %q", h.Test[0])
	}
	return nil
}

// env maps ENV to one Env or EnvExpand per variable, or, when a value
// refers to a variable that the same instruction sets (which BuildKit
// expands to its value from before the instruction), to one EnvExpandAll.
func (w *walker) env(c *instructions.EnvCommand) error {
	var keys []string
	var calls []Call
	var all []any
	together := false
	for _, kv := range c.Env {
		key, err := w.literal("env key", kv.Key)
		if err != nil {
			return err
		}
		v, t, err := w.words(kv.Value)
		if err != nil {
			return err
		}
		if w.sameInstruction(t, keys) != nil {
			together = true
		}
		keys = append(keys, key)
		raw, err := w.template("env value", kv.Value)
		if t.used && err != nil {
			return err
		}
		all = append(all, key, raw)
		if t.used {
			calls = append(calls, Call{Func: "EnvExpand", Args: []any{key, raw}, Line: w.line})
		} else {
			calls = append(calls, Call{Func: "Env", Args: []any{key, v}, Line: w.line})
		}
	}
	if !together {
		w.current.Calls = append(w.current.Calls, calls...)
		return nil
	}
	for i := 1; i < len(all); i += 2 {
		if _, err := w.template("env value", all[i].(string)); err != nil {
			return err
		}
	}
	w.add("EnvExpandAll", all...)
	return nil
}

// UsesStage reports whether call arguments refer to a stage.
func UsesStage(args []any) bool {
	for _, a := range args {
		switch x := a.(type) {
		case StageRef:
			return true
		case Call:
			if UsesStage(x.Args) {
				return true
			}
		}
	}
	return false
}

// onbuild maps ONBUILD to OnBuild, after checking that the trigger is an
// instruction the API can express on its own.
func (w *walker) onbuild(c *instructions.OnbuildCommand) error {
	expr := c.Expression
	if strings.ContainsAny(expr, "\n\r") || strings.TrimSpace(expr) != expr || strings.HasSuffix(expr, `\`) {
		return w.unsupported("an ONBUILD trigger that is not one line has no API")
	}
	// BuildKit parses a trigger when a stage runs it, on its own line
	// (initOnBuildTriggers), but expands its words with the lexer of the
	// Dockerfile, which the escape directive sets; the Build has none, so
	// a trigger with the escape character or a backslash would mean
	// something else.
	if w.escape != '\\' && strings.ContainsAny(expr, `\`+string(w.escape)) {
		return w.unsupported("trigger %q uses escapes under \"# escape=%c\"", expr, w.escape)
	}
	prog, err := Walk([]byte("FROM scratch\n" + expr + "\n"))
	if err != nil {
		var ue *UnsupportedError
		if errors.As(err, &ue) {
			return w.unsupported("trigger %q: %s", expr, ue.Reason)
		}
		// BuildKit reads a trigger only in a stage that runs it, so the
		// Dockerfile stands; what this trigger would do there, alone in a
		// Dockerfile of its own, is not known.
		return w.unsupported("trigger %q: %v", expr, err)
	}
	for _, call := range prog.Stages[0].Calls[1:] {
		// In the trigger's own Dockerfile a --from name is an image; the
		// stage that runs the trigger looks it up among its stages first.
		// A stage index has no such lookup.
		if UsesStage(call.Args) {
			return w.unsupported("trigger %q uses a stage by index, which has no API; name the stage", expr)
		}
	}
	w.add("OnBuild", expr)
	return nil
}
