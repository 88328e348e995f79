package main

import (
	"flag"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/examplecli"
)

// The repository's examples print more than a copy of main.go does: the
// LLB summary and image config, with the plumbing they share.
func init() {
	llb := flag.Bool("llb", false, "print the LLB of the target stage as JSON, one op per element")
	show = func(b *multistage.Build) { examplecli.Show(b, *llb) }
}
