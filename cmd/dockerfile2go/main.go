// Command dockerfile2go reads a Dockerfile and writes Go source of a
// function that builds the same *multistage.Build with the typed API of
// github.com/multistage/multistage, ready to paste into a program:
//
//	dockerfile2go [-func NewBuild] [-package main] [Dockerfile]
//
// Without a file argument it reads standard input. Warnings (such as
// COPY --from=name where no stage has that name) go to standard error.
// An instruction the API cannot express yet is an error naming its line.
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
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: dockerfile2go [flags] [Dockerfile]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(flag.Args(), *funcName, *pkg, *out); err != nil {
		fmt.Fprintln(os.Stderr, "dockerfile2go:", err)
		os.Exit(1)
	}
}

func run(args []string, funcName, pkg, out string) error {
	var data []byte
	var err error
	source := "standard input"
	switch len(args) {
	case 0:
		data, err = io.ReadAll(os.Stdin)
	case 1:
		source = args[0]
		data, err = os.ReadFile(args[0])
	default:
		return errors.New("at most one Dockerfile")
	}
	if err != nil {
		return err
	}
	// ParseDockerfile checks the whole build (and reports its errors the
	// way the API does); the generator prints the same calls.
	if _, err := multistage.ParseDockerfile(data, multistage.ParseWarnings(func(w multistage.ParseWarning) {
		fmt.Fprintf(os.Stderr, "%s:%d: warning: %s\n", source, w.Line, w.Message)
	})); err != nil {
		return fmt.Errorf("%s: %w", source, err)
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
