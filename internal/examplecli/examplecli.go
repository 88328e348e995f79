// Package examplecli is the command line shared by the example programs:
// print the Dockerfile, print the LLB, or build for real on a BuildKit
// daemon.
package examplecli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"

	"github.com/moby/buildkit/client"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/llbdump"
)

// Main runs an example: it prints b's Dockerfile and a summary of its LLB,
// prints the whole LLB with -llb, and builds with BuildKit when -buildkit-addr
// (default $BUILDKIT_HOST) is set. contextDir is the default build context.
func Main(b *multistage.Build, contextDir string) {
	fs := flag.NewFlagSet(os.Args[0], flag.ExitOnError)
	showLLB := fs.Bool("llb", false, "print the LLB of the target stage as JSON, one op per element")
	addr := fs.String("buildkit-addr", os.Getenv("BUILDKIT_HOST"), "BuildKit address (unix://, tcp://, docker-container://, kube-pod://); empty: do not build")
	ctxDir := fs.String("context", contextDir, "build context directory")
	ociOut := fs.String("o", "", "write the built image as an OCI tarball to this path")
	progress := fs.String("progress", "auto", "progress display: auto, tty, plain, quiet")
	_ = fs.Parse(os.Args[1:])

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, b, *showLLB, *addr, *ctxDir, *ociOut, *progress); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, b *multistage.Build, showLLB bool, addr, ctxDir, ociOut, progress string) error {
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
	fmt.Fprintf(w, "# LLB of target stage %q (%d ops, head %s; base images unresolved without -buildkit-addr)\n%s",
		out.Target, strings.Count(summary, "\n"), dgst, summary)
	cfg := out.Image.Config
	fmt.Fprintf(w, "# image config: Entrypoint=%q Cmd=%q WorkingDir=%q User=%q Env=%q ExposedPorts=%v\n",
		cfg.Entrypoint, cfg.Cmd, cfg.WorkingDir, cfg.User, cfg.Env, keys(cfg.ExposedPorts))
	if showLLB {
		dump, err := llbdump.Dump(out.Definition)
		if err != nil {
			return err
		}
		w.Write(dump)
	}
	if addr == "" {
		fmt.Fprintln(w, "# not building: set -buildkit-addr or $BUILDKIT_HOST to build with BuildKit")
		return nil
	}
	c, err := client.New(ctx, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	opts := []multistage.SolveOption{multistage.ContextDir(ctxDir), multistage.Progress(progress, os.Stderr)}
	if ociOut != "" {
		opts = append(opts, multistage.OutputOCI(ociOut))
	}
	res, err := b.Solve(ctx, c, opts...)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "# built: digest %s, %d bytes\n", res.Digest, res.Size)
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
