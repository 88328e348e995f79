// Package examplecli is the plumbing the example programs share, kept out
// of their way: printing a build's Dockerfile, LLB and image config, which
// each example's show.go plugs in. Each example's main.go, which users copy,
// uses only the module's public packages: the calls a user makes (Dial,
// Solve, Load, reading the result) and the flags are there, not here.
package examplecli

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strings"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/llbdump"
)

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
