// Command dockerfile2go reads a Dockerfile and writes Go source of a
// function that builds the same *multistage.Build with the typed API of
// github.com/multistage/multistage, ready to paste into a program:
//
//	dockerfile2go [-func NewBuild] [-package main] [Dockerfile]
//
// Without a file argument it reads standard input. Warnings (such as
// COPY --from=name where no stage has that name) go to standard error.
// An instruction the API cannot express yet is an error naming its line.
//
// With -graph it prints the Dockerfile's stage graph instead of Go code,
// as Mermaid (for Markdown) or as Graphviz DOT ([multistage.Build.Mermaid]
// and [multistage.Build.DOT]); -target marks the stage to build, as
// docker build --target does (the default is the last stage):
//
//	dockerfile2go -graph mermaid Dockerfile
//	dockerfile2go -graph dot -target test Dockerfile | dot -Tsvg > stages.svg
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/dfimport"
	"github.com/multistage/multistage/internal/gogen"
)

func main() {
	funcName := flag.String("func", "NewBuild", "name of the generated function")
	pkg := flag.String("package", "main", "package clause of the generated file")
	out := flag.String("o", "", "write to this file instead of standard output")
	graph := flag.String("graph", "", "print the stage graph instead of Go code: `format` mermaid or dot")
	target := flag.String("target", "", "with -graph, the `stage` to build (default: the last)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: dockerfile2go [flags] [Dockerfile]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	var err error
	if *graph != "" || *target != "" {
		err = printGraph(flag.Args(), *graph, *target, *out)
	} else {
		err = run(flag.Args(), *funcName, *pkg, *out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dockerfile2go:", err)
		os.Exit(1)
	}
}

func run(args []string, funcName, pkg, out string) error {
	data, source, err := readDockerfile(args)
	if err != nil {
		return err
	}
	// ParseDockerfile checks the whole build (and reports its errors the
	// way the API does); the generator prints the same calls.
	if _, err := parse(data, source); err != nil {
		return err
	}
	prog, err := dfimport.Walk(data)
	if err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	src, err := gogen.Generate(prog, gogen.Options{Package: pkg, Func: funcName, Source: source})
	if err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(src)
		return err
	}
	return os.WriteFile(out, src, 0o644)
}

// readDockerfile reads the one Dockerfile of args, or standard input, and
// returns it with its name for messages.
func readDockerfile(args []string) ([]byte, string, error) {
	switch len(args) {
	case 0:
		data, err := io.ReadAll(os.Stdin)
		return data, "standard input", err
	case 1:
		data, err := os.ReadFile(args[0])
		return data, args[0], err
	}
	return nil, "", errors.New("at most one Dockerfile")
}

// parse reads a Dockerfile into a build, its warnings on standard error.
func parse(data []byte, source string) (*multistage.Build, error) {
	b, err := multistage.ParseDockerfile(data, multistage.ParseWarnings(func(w multistage.ParseWarning) {
		fmt.Fprintf(os.Stderr, "%s:%d: warning: %s\n", source, w.Line, w.Message)
	}))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return b, nil
}

// printGraph prints the stage graph of the Dockerfile of args in format
// ("mermaid" or "dot"), with target marked.
func printGraph(args []string, format, target, out string) error {
	var graph func(*multistage.Build, ...multistage.Option) ([]byte, error)
	switch format {
	case "mermaid":
		graph = (*multistage.Build).Mermaid
	case "dot":
		graph = (*multistage.Build).DOT
	case "":
		return errors.New("-target needs -graph mermaid or -graph dot")
	default:
		return fmt.Errorf("-graph %q: want mermaid or dot", format)
	}
	data, source, err := readDockerfile(args)
	if err != nil {
		return err
	}
	b, err := parse(data, source)
	if err != nil {
		return err
	}
	var opts []multistage.Option
	if target != "" {
		s := b.Lookup(target)
		if s == nil {
			return fmt.Errorf("%s: -target %q: no such stage", source, target)
		}
		opts = append(opts, multistage.Target(s))
	}
	g, err := graph(b, opts...)
	if err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	if out == "" {
		_, err = os.Stdout.Write(g)
		return err
	}
	return os.WriteFile(out, g, 0o644)
}
