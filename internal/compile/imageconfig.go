package compile

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/sys/signal"
	"github.com/multistage/multistage/internal/ir"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// imageConfig compiles an instruction that changes only the image config
// and its history: ENV, USER, LABEL, EXPOSE, ENTRYPOINT, CMD, HEALTHCHECK,
// and the like.
func (c *compiler) imageConfig(ctx context.Context, s *stageState, i int, in ir.Instruction) error {
	img := &s.image
	switch x := in.(type) {
	case *ir.Env:
		v := x.Value
		if x.Expand {
			var err error
			if v, err = c.expand(ctx, s, v); err != nil {
				return err
			}
		}
		s.state = s.state.AddEnv(x.Key, v)
		s.env.set(x.Key, v)
		s.addImageEnv(x.Key, v)
		c.history(s, "ENV "+x.Key+"="+v, false)
	case *ir.EnvGroup:
		// Every value is expanded before any is set (dispatchEnv).
		vals := make([]string, len(x.Vars))
		for k, e := range x.Vars {
			vals[k] = e.Value
			if e.Expand {
				var err error
				if vals[k], err = c.expand(ctx, s, e.Value); err != nil {
					return err
				}
			}
		}
		msg := "ENV"
		for k, e := range x.Vars {
			s.state = s.state.AddEnv(e.Key, vals[k])
			s.env.set(e.Key, vals[k])
			s.addImageEnv(e.Key, vals[k])
			msg += " " + e.Key + "=" + vals[k]
		}
		c.history(s, msg, false)
	case *ir.User:
		u := x.User
		if x.Expand {
			var err error
			if u, err = c.expand(ctx, s, u); err != nil {
				return err
			}
		}
		s.state = s.state.User(u)
		img.Config.User = u
		c.history(s, "USER "+u, false)
	case *ir.Label:
		return c.imageConfig(ctx, s, i, &ir.LabelGroup{Labels: []ir.Label{*x}})
	case *ir.LabelGroup:
		// Every key and value is expanded before any is set (dispatchLabel).
		kvs := make([][2]string, len(x.Labels))
		for k, l := range x.Labels {
			kvs[k] = [2]string{l.Key, l.Value}
			if l.Expand {
				for f := range kvs[k] {
					v, err := c.expand(ctx, s, kvs[k][f])
					if err != nil {
						return err
					}
					kvs[k][f] = v
				}
			}
		}
		if img.Config.Labels == nil {
			img.Config.Labels = map[string]string{}
		}
		msg := "LABEL"
		for _, kv := range kvs {
			img.Config.Labels[kv[0]] = kv[1]
			msg += " " + kv[0] + "=" + kv[1]
		}
		c.history(s, msg, false)
	case *ir.Maintainer:
		img.Author = x.Name
		c.history(s, "MAINTAINER "+x.Name, false)
	case *ir.OnBuild:
		// Only recorded; a stage based on this one runs the trigger.
		img.Config.OnBuild = append(img.Config.OnBuild, x.Expression)
	case *ir.Expose:
		var ports []string
		if !x.Expand {
			ports = []string{strconv.Itoa(x.Port) + "/" + x.Proto}
		} else {
			env, err := stateEnv(ctx, s)
			if err != nil {
				return err
			}
			// The parser splits the words at white space and sorts them
			// as strings (parseExpose); each is then expanded and split
			// again (dispatchExpose).
			raw := strings.FieldsFunc(x.Spec, func(r rune) bool { return strings.ContainsRune(" \t\v\f\r", r) })
			slices.Sort(raw)
			var words []string
			for _, w := range raw {
				ws, err := c.processWords(w, env)
				if err != nil {
					return err
				}
				words = append(words, ws...)
			}
			if ports, err = parsePorts(words); err != nil {
				return err
			}
		}
		if img.Config.ExposedPorts == nil {
			img.Config.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range ports {
			img.Config.ExposedPorts[p] = struct{}{}
		}
		c.history(s, "EXPOSE ["+strings.Join(ports, " ")+"]", false) // fmt.Sprintf("EXPOSE %v"), as the frontend writes it
	case *ir.Entrypoint:
		img.Config.Entrypoint = slices.Clone(x.Argv)
		if len(x.Argv) == 0 {
			img.Config.Entrypoint = nil // ENTRYPOINT [] (parseShellDependentCommand)
		}
		if x.Shell {
			img.Config.Entrypoint = withShell(*img, x.Argv)
		}
		if !s.cmdSet {
			img.Config.Cmd = nil
		}
		c.history(s, "ENTRYPOINT "+quoteList(img.Config.Entrypoint), false)
	case *ir.Cmd:
		img.Config.Cmd = slices.Clone(x.Argv)
		if len(x.Argv) == 0 {
			img.Config.Cmd = []string{} // CMD [] (handleJSONArgs)
		}
		if x.Shell {
			img.Config.Cmd = withShell(*img, x.Argv)
		}
		img.Config.ArgsEscaped = true //nolint:staticcheck // set by the Dockerfile frontend for Docker compatibility
		s.cmdSet = true
		c.history(s, "CMD "+quoteList(img.Config.Cmd), false)
	case *ir.Healthcheck:
		hc := &dockerspec.HealthcheckConfig{}
		switch {
		case x.None:
			hc.Test = []string{"NONE"}
		case x.Shell:
			hc.Test = []string{"CMD-SHELL", strings.Join(x.Test, " ")}
		default:
			hc.Test = append([]string{"CMD"}, x.Test...)
		}
		if !x.None {
			hc.Interval, hc.Timeout, hc.StartPeriod, hc.StartInterval = x.Interval, x.Timeout, x.StartPeriod, x.StartInterval
			hc.Retries = x.Retries
		}
		img.Config.Healthcheck = hc
		c.history(s, fmt.Sprintf("HEALTHCHECK %+v", *hc), false)
	case *ir.StopSignal:
		sig := x.Signal
		if x.Expand {
			var err error
			if sig, err = c.expand(ctx, s, sig); err != nil {
				return err
			}
			if _, err := signal.ParseSignal(sig); err != nil {
				return err
			}
		}
		img.Config.StopSignal = sig
		c.history(s, "STOPSIGNAL "+sig, false)
	case *ir.Volume:
		paths := x.Paths
		if x.Expand {
			paths = make([]string, len(x.Paths))
			for k, p := range x.Paths {
				v, err := c.expand(ctx, s, p)
				if err != nil {
					return err
				}
				if v == "" {
					return errors.New("VOLUME specified can not be an empty string")
				}
				paths[k] = v
			}
		}
		if img.Config.Volumes == nil {
			img.Config.Volumes = map[string]struct{}{}
		}
		for _, v := range paths {
			img.Config.Volumes[v] = struct{}{}
		}
		c.history(s, fmt.Sprintf("VOLUME %v", paths), false)
	case *ir.Shell:
		img.Config.Shell = slices.Clone(x.Argv)
		c.history(s, fmt.Sprintf("SHELL %v", x.Argv), false)
	default:
		return fmt.Errorf("unsupported instruction %T", in)
	}
	return nil
}

func withShell(img dockerspec.DockerOCIImage, args []string) []string {
	var sh []string
	if len(img.Config.Shell) > 0 {
		sh = slices.Clone(img.Config.Shell)
	} else if img.OS == "windows" {
		sh = []string{"cmd", "/S", "/C"}
	} else {
		sh = []string{"/bin/sh", "-c"}
	}
	return append(sh, strings.Join(args, " "))
}

func cloneImage(src dockerspec.DockerOCIImage) dockerspec.DockerOCIImage {
	img := src
	img.Config.Env = slices.Clone(src.Config.Env)
	img.Config.Cmd = slices.Clone(src.Config.Cmd)
	img.Config.Entrypoint = slices.Clone(src.Config.Entrypoint)
	img.Config.OnBuild = slices.Clone(src.Config.OnBuild)
	img.Config.ExposedPorts = maps.Clone(src.Config.ExposedPorts)
	img.Config.Volumes = maps.Clone(src.Config.Volumes)
	img.Config.Labels = maps.Clone(src.Config.Labels)
	img.Config.Shell = slices.Clone(src.Config.Shell)
	if src.Config.Healthcheck != nil {
		hc := *src.Config.Healthcheck
		hc.Test = slices.Clone(src.Config.Healthcheck.Test)
		img.Config.Healthcheck = &hc
	}
	return img
}

// quoteList formats argv as fmt's %q does for a []string, without fmt.
func quoteList(argv []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, a := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Quote(a))
	}
	b.WriteByte(']')
	return b.String()
}

// history mirrors commitToHistory.
func (c *compiler) history(s *stageState, msg string, withLayer bool) {
	s.hist = s.hist.add(ocispecs.History{
		CreatedBy:  msg,
		Comment:    "buildkit.dockerfile.v0",
		EmptyLayer: !withLayer,
		Created:    c.epoch,
	})
}

// parsePorts mirrors the frontend's portSpecs.parsePorts: each spec is
// [[ip:]hostPort:]port[-port][/proto], and becomes one "port/proto" per
// port of the container range.
func parsePorts(specs []string) ([]string, error) {
	var out []string
	for _, raw := range specs {
		ip, hostPort, port := splitPortParts(raw)
		port, proto, _ := strings.Cut(port, "/")
		if port == "" {
			return nil, fmt.Errorf("invalid port: %q: no port specified", raw)
		}
		switch strings.ToLower(proto) {
		case "":
			proto = "tcp"
		case "tcp", "udp", "sctp":
		default:
			return nil, fmt.Errorf("invalid port: %q: invalid proto: %s", raw, proto)
		}
		if ip != "" && ip[0] == '[' {
			h, _, err := net.SplitHostPort(ip + ":")
			if err != nil {
				return nil, fmt.Errorf("invalid IP address %v: %w", ip, err)
			}
			ip = h
		}
		if ip != "" && net.ParseIP(ip) == nil {
			return nil, fmt.Errorf("invalid IP address: %s", ip)
		}
		start, end, err := portRange(port)
		if err != nil {
			return nil, fmt.Errorf("invalid containerPort: %s", port)
		}
		if hostPort != "" {
			hs, he, err := portRange(hostPort)
			if err != nil {
				return nil, fmt.Errorf("invalid hostPort: %s", hostPort)
			}
			if end-start != he-hs && end != start {
				return nil, fmt.Errorf("invalid ranges specified for container and host Ports: %s and %s", port, hostPort)
			}
		}
		for p := start; p <= end; p++ {
			out = append(out, strconv.Itoa(p)+"/"+strings.ToLower(proto))
		}
	}
	return out, nil
}

func splitPortParts(raw string) (ip, hostPort, port string) {
	parts := strings.Split(raw, ":")
	switch n := len(parts); n {
	case 1:
		return "", "", parts[0]
	case 2:
		return "", parts[0], parts[1]
	default:
		return strings.Join(parts[:n-2], ":"), parts[n-2], parts[n-1]
	}
}

// portRange reads "port" or "start-end", ports in 0-65535.
func portRange(v string) (int, int, error) {
	lo, hi, isRange := strings.Cut(v, "-")
	start, err := portNumber(lo)
	if err != nil {
		return 0, 0, err
	}
	if !isRange || lo == hi {
		return start, start, nil
	}
	end, err := portNumber(hi)
	if err != nil {
		return 0, 0, err
	}
	if end < start {
		return 0, 0, fmt.Errorf("invalid port range: %s", v)
	}
	return start, end, nil
}

func portNumber(v string) (int, error) {
	if v == "" {
		return 0, fmt.Errorf("value is empty")
	}
	n, err := strconv.ParseInt(v, 10, 0)
	if err != nil {
		return 0, err
	}
	if n < 0 || n > 65535 {
		return 0, fmt.Errorf("value out of range (0–65535)")
	}
	return int(n), nil
}
