// Package examplecli is the plumbing the example programs share, kept out
// of their way: their flags, and printing a build's Dockerfile and LLB.
// The calls a user makes (Dial, Solve, Load, reading the result) are in
// each example's main.go, not here.
package examplecli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strings"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/llbdump"
)

// Options are the example programs' flags.
type Options struct {
	Addr     string // -addr: the BuildKit address given to multistage.Dial
	Load     string // -load: load the image into Docker Engine under this name
	OCI      string // -o: write the image as an OCI tarball to this path
	Context  string // -context: the build context directory
	Progress string // -progress: auto, plain, tty or quiet
	LLB      bool   // -llb: print the whole LLB as JSON
}

// Build reports whether the flags ask for a build: an address (-addr, whose
// default is $BUILDKIT_HOST), an image to load or a tarball to write.
func (o Options) Build() bool { return o.Addr != "" || o.Load != "" || o.OCI != "" }

// Flags parses the command line of an example whose build context is
// contextDir by default. Errors logged with the log package are printed
// without a time stamp.
func Flags(contextDir string) Options {
	log.SetFlags(0)
	var o Options
	fs := flag.CommandLine
	fs.StringVar(&o.Addr, "addr", os.Getenv("BUILDKIT_HOST"), `build on this BuildKit address: "docker" (Docker Engine), unix://, tcp://, docker-container://, ... (default $BUILDKIT_HOST)`)
	fs.StringVar(&o.Addr, "buildkit-addr", os.Getenv("BUILDKIT_HOST"), "the same as -addr")
	fs.StringVar(&o.Load, "load", "", "build and load the image into Docker Engine under this name")
	fs.StringVar(&o.OCI, "o", "", "build and write the image as an OCI tarball to this path")
	fs.StringVar(&o.Context, "context", contextDir, "build context directory")
	fs.StringVar(&o.Progress, "progress", "auto", "progress display: auto, plain, tty or quiet")
	fs.BoolVar(&o.LLB, "llb", false, "print the LLB of the target stage as JSON, one op per element")
	flag.Parse()
	return o
}

// Show prints b's Dockerfile, a summary of its LLB (one line per op) and
// its image config on standard output, and with llb the whole LLB as JSON.
func Show(b *multistage.Build, llb bool) {
	if err := show(context.Background(), os.Stdout, b, llb); err != nil {
		log.Fatal(err)
	}
}

func show(ctx context.Context, w io.Writer, b *multistage.Build, llb bool) error {
	df, err := b.Dockerfile()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "# Dockerfile\n%s\n", df)
	out, err := b.Compile(ctx)
	if err != nil {
		return err
	}
	summary, err := llbdump.Summary(out.Definition)
	if err != nil {
		return err
	}
	dgst, err := out.Definition.Head()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "# LLB of target stage %q (%d ops, head %s; base images unresolved until it builds)\n%s",
		out.Target, strings.Count(summary, "\n"), dgst, summary)
	cfg := out.Image.Config
	fmt.Fprintf(w, "# image config: Entrypoint=%q Cmd=%q WorkingDir=%q User=%q Env=%q ExposedPorts=%v\n",
		cfg.Entrypoint, cfg.Cmd, cfg.WorkingDir, cfg.User, cfg.Env, keys(cfg.ExposedPorts))
	if llb {
		dump, err := llbdump.Dump(out.Definition)
		if err != nil {
			return err
		}
		w.Write(dump)
	}
	return nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
