package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/presets"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Exit codes; main's doc comment lists them for users.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitNoPreset    = 3
	exitUnreachable = 4
	exitInterrupted = 130
)

// exitError is an error with its exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, args...)}
}

const usage = `multistage builds container images of projects with its presets (.NET, Go,
Node.js, Maven, Python), on Docker Engine or any BuildKit.

Usage:
  multistage detect [dir] [--json]       which presets fit dir, and why
  multistage dockerfile [dir] [flags]    print the Dockerfile of the preset
  multistage build [dir] [flags]         build the image

dir is the project directory (default: the current directory).
"multistage <command> --help" shows a command's flags and examples.

Exit status: 0 success, 1 failure, 2 usage, 3 no preset fits,
4 BuildKit or Docker Engine unreachable, 130 interrupted.
`

// run runs the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "detect":
		err = detectCmd(rest, stdout, stderr)
	case "dockerfile":
		err = dockerfileCmd(rest, stdout, stderr)
	case "build":
		err = buildCmd(ctx, rest, stdout, stderr)
	default:
		err = usageErr("unknown command %q (want detect, dockerfile or build; see multistage --help)", cmd)
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "multistage:", oneLine(err))
		return exitCode(err)
	}
	return exitOK
}

func exitCode(err error) int {
	var e *exitError
	switch {
	case errors.As(err, &e):
		return e.code
	case errors.Is(err, multistage.ErrDial):
		return exitUnreachable
	}
	return exitFailed
}

// oneLine joins the lines of an error (errors.Join gives one per error).
func oneLine(err error) string {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, "; ")
}

// command is the flag set of a command and its help text.
type command struct {
	*flag.FlagSet
	help   string
	stdout io.Writer
}

// newFlags returns the flag set of a command; --help prints help (the
// usage line, the examples and the flags) on stdout.
func newFlags(name, help string, stdout io.Writer) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // parse prints the help, and only for --help
	return &command{FlagSet: fs, help: help, stdout: stdout}
}

func (c *command) printHelp() {
	fmt.Fprint(c.stdout, c.help)
	fmt.Fprintln(c.stdout, "\nFlags:")
	c.SetOutput(c.stdout)
	c.PrintDefaults()
	c.SetOutput(io.Discard)
}

// parse parses args, flags before and after the one optional directory,
// and returns the directory (default ".").
func parse(fs *command, args []string) (string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.printHelp()
				return "", err
			}
			return "", usageErr("%s: %v (see multistage %s --help)", fs.Name(), err, fs.Name())
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	switch len(pos) {
	case 0:
		return ".", nil
	case 1:
		st, err := os.Stat(pos[0])
		if err != nil || !st.IsDir() {
			return "", usageErr("%s: %s is not a directory", fs.Name(), pos[0])
		}
		return pos[0], nil
	}
	return "", usageErr("%s: one project directory, not %d (%s)", fs.Name(), len(pos), strings.Join(pos, " "))
}

// listFlag is a flag that may be given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

const detectHelp = `Usage: multistage detect [dir] [--json]

Detect prints the presets that fit the project in dir (default: the current
directory), most specific first, each with the build context and the reason:
which files and fields it read, what it assumed, what to set where it had to
guess. "dockerfile" and "build" use the first one unless --preset names
another. It exits with status 3 when no preset fits.

The presets fit projects with: go.mod or go.work (go); a .csproj, .fsproj,
.vbproj, .sln or .slnx (dotnet); a package.json whose build script builds a
site (node-static) or that starts a server (node-server); a pom.xml (maven);
requirements.txt, pyproject.toml, uv.lock, poetry.lock or Pipfile.lock
(python). "go doc github.com/multistage/multistage/presets.Detect" has
every rule.

Examples:
  multistage detect
  multistage detect ./services/api
  multistage detect --json . | jq -r '.[0].Preset'
`

func detectCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("detect", detectHelp, stdout)
	asJSON := fs.Bool("json", false, "print the detections as a JSON array, with their options")
	dir, err := parse(fs, args)
	if err != nil {
		return err
	}
	ds, err := presets.Detect(dir)
	if err != nil {
		return err
	}
	if *asJSON {
		if ds == nil {
			ds = []presets.Detection{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(ds); err != nil {
			return err
		}
	} else {
		for i, d := range ds {
			fmt.Fprintf(stdout, "%s\tcontext %s\n", d.Preset, d.Context)
			fmt.Fprintf(stdout, "\t%s\n", d.Reason)
			if i == 0 && len(ds) > 1 {
				fmt.Fprintln(stdout, "\t(used by dockerfile and build; --preset chooses another)")
			}
		}
	}
	if len(ds) == 0 {
		return &exitError{exitNoPreset, fmt.Errorf("no preset fits %s (multistage detect --help lists what the presets look for)", dir)}
	}
	return nil
}

// choose returns the detection of the preset named preset, or the first.
func choose(dir, preset string, stderr io.Writer) (presets.Detection, error) {
	ds, err := presets.Detect(dir)
	if err != nil {
		return presets.Detection{}, err
	}
	if len(ds) == 0 {
		return presets.Detection{}, &exitError{exitNoPreset, fmt.Errorf("no preset fits %s (multistage detect --help lists what the presets look for)", dir)}
	}
	var names []string
	for _, d := range ds {
		if preset == "" || d.Preset == preset {
			if preset == "" && len(ds) > 1 {
				fmt.Fprintf(stderr, "multistage: %s fits several presets; using %s (--preset chooses)\n", dir, d.Preset)
			}
			return d, nil
		}
		names = append(names, d.Preset)
	}
	return presets.Detection{}, &exitError{exitNoPreset, fmt.Errorf("preset %q does not fit %s (these do: %s)", preset, dir, strings.Join(names, ", "))}
}

const dockerfileHelp = `Usage: multistage dockerfile [dir] [--preset name] [-o file] [--graph mermaid|dot]

Dockerfile prints the Dockerfile of the preset that fits the project in dir,
the same build that "multistage build" runs, to keep in the repository and
build with "docker build". When the build context is not dir (a member of a
workspace), it says so on standard error: build from there.

With --graph it prints the build's stage graph instead: Mermaid (GitHub and
GitLab draw it in a ` + "```mermaid" + ` block) or Graphviz DOT.

Examples:
  multistage dockerfile
  multistage dockerfile ./web --preset node-static -o web/Dockerfile
  docker build -f <(multistage dockerfile) .
  multistage dockerfile --graph dot | dot -Tsvg > stages.svg
`

func dockerfileCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dockerfile", dockerfileHelp, stdout)
	preset := fs.String("preset", "", "the preset to use, of those detect lists (default: the first)")
	out := fs.String("o", "", "write the Dockerfile to this file instead of standard output")
	graph := fs.String("graph", "", "print the stage graph instead, as `format` mermaid or dot")
	dir, err := parse(fs, args)
	if err != nil {
		return err
	}
	render := (*multistage.Build).Dockerfile
	switch *graph {
	case "":
	case "mermaid":
		render = (*multistage.Build).Mermaid
	case "dot":
		render = (*multistage.Build).DOT
	default:
		return usageErr("dockerfile: --graph %q: want mermaid or dot", *graph)
	}
	d, err := choose(dir, *preset, stderr)
	if err != nil {
		return err
	}
	df, err := render(d.Build())
	if err != nil {
		return err
	}
	if filepath.Clean(d.Context) != filepath.Clean(dir) {
		fmt.Fprintf(stderr, "multistage: the build context is %s\n", d.Context)
	}
	if *out == "" {
		_, err = stdout.Write(df)
		return err
	}
	return os.WriteFile(*out, df, 0o644)
}

const buildHelp = `Usage: multistage build [dir] [flags]

Build builds the image of the preset that fits the project in dir on
BuildKit, with BuildKit's progress display on standard error, and prints
the image digest (when an image was exported) on standard output.

--addr is any BuildKit address: "docker" (Docker Engine's built-in BuildKit),
unix://, tcp:// (TLS from BUILDKIT_TLSDIR, or BUILDKIT_TLSCACERT,
BUILDKIT_TLSCERT and BUILDKIT_TLSKEY), docker-container://, podman-container://,
nerdctl-container://, kube-pod://, ssh://. The default is $BUILDKIT_HOST,
else Docker Engine (DOCKER_HOST or the current docker context).

--output is type=local,dest=DIR (or just DIR), type=tar,dest=FILE,
type=oci,dest=FILE, type=docker,dest=FILE,name=NAME, type=docker,name=NAME
(as --load), or type=registry,name=REF (as --push; also
type=image,name=REF,push=true). Without --load, --push or --output the
result stays in BuildKit's cache.

Examples:
  multistage build --load app:dev && docker run --rm -p 8080:8080 app:dev
  multistage build ./api --addr tcp://builder:1234 --push registry.example.com/api:1.2
  multistage build --addr docker-container://buildkitd --output type=oci,dest=app.tar
  multistage build --platform linux/amd64,linux/arm64 --push registry.example.com/app
  multistage build --target build --output ./out --progress plain
  multistage build --build-arg GO_VERSION=1.23 --load app:go123
`

func buildCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("build", buildHelp, stdout)
	preset := fs.String("preset", "", "the preset to use, of those detect lists (default: the first)")
	addr := fs.String("addr", "", `BuildKit address (default: $BUILDKIT_HOST, else "docker")`)
	var loads, pushes, outputs, buildArgs listFlag
	fs.Var(&loads, "load", "load the image into Docker Engine as `name` (repeatable)")
	fs.Var(&pushes, "push", "push the image to the registry as `ref` (repeatable)")
	fs.Var(&outputs, "output", "export the result: type=local|tar|oci|docker|registry,dest=…,name=… (repeatable)")
	fs.Var(&buildArgs, "build-arg", "set a build arg: `KEY=VALUE`, or KEY to take its value from the environment (repeatable)")
	platform := fs.String("platform", "", "target `platforms`, comma-separated (linux/amd64,linux/arm64)")
	target := fs.String("target", "", "the `stage` to build (default: the last)")
	progress := fs.String("progress", "auto", "progress display: auto, plain, tty, rawjson or quiet")
	dir, err := parse(fs, args)
	if err != nil {
		return err
	}

	var opts []multistage.SolveOption
	for _, name := range loads {
		if err := checkImageName("--load", name); err != nil {
			return err
		}
		opts = append(opts, multistage.Load(name))
	}
	for _, ref := range pushes {
		if err := checkImageName("--push", ref); err != nil {
			return err
		}
		opts = append(opts, multistage.Push(ref))
	}
	for _, o := range outputs {
		opt, err := parseOutput(o)
		if err != nil {
			return err
		}
		opts = append(opts, opt)
	}
	for _, a := range buildArgs {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			v, ok = os.LookupEnv(k)
			if !ok {
				continue // as docker build: an unset variable sets nothing
			}
		}
		opts = append(opts, multistage.BuildArg(k, v))
	}
	if *platform != "" {
		var ps []ocispecs.Platform
		for _, s := range strings.Split(*platform, ",") {
			p, err := platforms.Parse(strings.TrimSpace(s))
			if err != nil {
				return usageErr("build: --platform %q: %v", s, err)
			}
			ps = append(ps, p)
		}
		if len(ps) == 1 {
			opts = append(opts, multistage.WithPlatform(ps[0]))
		} else {
			opts = append(opts, multistage.Platforms(ps...))
		}
	}
	switch *progress {
	case "auto", "plain", "tty", "rawjson", "quiet":
	default:
		return usageErr("build: --progress %q: want auto, plain, tty, rawjson or quiet", *progress)
	}

	d, err := choose(dir, *preset, stderr)
	if err != nil {
		return err
	}
	b := d.Build()
	if *target != "" {
		var names []string
		i := slices.IndexFunc(b.Stages(), func(s *multistage.Stage) bool { names = append(names, s.Name()); return s.Name() == *target })
		if i < 0 {
			return usageErr("build: --target %q: the %s preset has the stages %s", *target, d.Preset, strings.Join(names, ", "))
		}
		opts = append(opts, multistage.Target(b.Stages()[i]))
	}
	if len(loads)+len(pushes)+len(outputs) == 0 {
		fmt.Fprintln(stderr, "multistage: no --load, --push or --output: the result stays in BuildKit's cache")
	}
	opts = append(opts, multistage.ContextDir(d.Context), multistage.Progress(*progress, stderr))

	c, err := multistage.Dial(ctx, *addr)
	if errors.Is(err, multistage.ErrInvalidValue) {
		return &exitError{exitUsage, fmt.Errorf("build: --addr: %w", err)}
	}
	if err != nil {
		return err
	}
	defer c.Close()
	res, err := b.Solve(ctx, c, opts...)
	if err != nil {
		return err
	}
	for _, name := range loads {
		fmt.Fprintf(stderr, "multistage: loaded %s into Docker Engine\n", name)
	}
	for _, ref := range pushes {
		fmt.Fprintf(stderr, "multistage: pushed %s\n", ref)
	}
	if res.Digest != "" {
		fmt.Fprintln(stdout, res.Digest)
	}
	return nil
}

// parseOutput reads an --output value: type=...,dest=...,name=..., or a
// directory.
func parseOutput(s string) (multistage.SolveOption, error) {
	if !strings.Contains(s, "=") {
		return multistage.OutputLocal(s), nil
	}
	attrs := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usageErr("build: --output %q: %q is not key=value", s, kv)
		}
		switch k {
		case "type", "dest", "name", "push":
		default:
			return nil, usageErr("build: --output %q: unknown key %q (want type, dest, name)", s, k)
		}
		attrs[k] = v
	}
	need := func(keys ...string) error {
		for _, k := range keys {
			if attrs[k] == "" {
				return usageErr("build: --output %q: type=%s needs %s=", s, attrs["type"], k)
			}
		}
		if name, ok := attrs["name"]; ok {
			return checkImageName("--output name=", name)
		}
		return nil
	}
	typ := attrs["type"]
	if push, ok := attrs["push"]; ok {
		// push= means something for an image exporter only, as for buildx
		if (typ != "image" && typ != "registry") || (push != "true" && push != "false") {
			return nil, usageErr("build: --output %q: push=true or push=false, with type=image or type=registry", s)
		}
		if typ == "registry" && push == "false" {
			return nil, usageErr("build: --output %q: type=registry pushes; --load puts the image into Docker Engine", s)
		}
	}
	switch typ {
	case "local":
		return multistage.OutputLocal(attrs["dest"]), need("dest")
	case "tar":
		return multistage.OutputTar(attrs["dest"]), need("dest")
	case "oci":
		return multistage.OutputOCI(attrs["dest"]), need("dest")
	case "docker":
		if attrs["dest"] == "" {
			// as buildx's type=docker without dest: into Docker Engine
			return multistage.Load(attrs["name"]), need("name")
		}
		return multistage.OutputDocker(attrs["dest"], attrs["name"]), need("dest", "name")
	case "registry":
		return multistage.Push(attrs["name"]), need("name")
	case "image":
		if attrs["push"] != "true" {
			return nil, usageErr("build: --output %q: type=image needs push=true (an image that is not pushed stays in BuildKit; --load puts it into Docker Engine)", s)
		}
		return multistage.Push(attrs["name"]), need("name")
	}
	return nil, usageErr("build: --output %q: type %q (want local, tar, oci, docker or registry)", s, typ)
}

// checkImageName refuses an image name that no registry or engine takes,
// before anything is built or dialled.
func checkImageName(flag, name string) error {
	ref, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return usageErr("build: %s %q: not an image name: %v", flag, name, err)
	}
	if _, ok := ref.(reference.Digested); ok {
		return usageErr("build: %s %q: a digest is not a name to give an image: use a tag", flag, name)
	}
	return nil
}
