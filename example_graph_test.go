package multistage_test

import (
	"fmt"

	"github.com/multistage/multistage"
)

// graphBuild is a Go service with a test stage that the release image
// does not need.
func graphBuild() (*multistage.Build, *multistage.Stage) {
	b := multistage.New()
	build := b.Stage("build").From("golang:1.22").
		Workdir("/src").
		Copy(".", ".").
		Run("go build -o /out/app .")
	b.Stage("test").FromStage(build).
		Run("go test ./...")
	run := b.Stage("run").From("alpine:latest").
		CopyFrom(build, "/out/app", "/usr/local/bin/app").
		CopyFromImage("nginx:alpine", "/etc/mime.types", "/etc/mime.types").
		Entrypoint("/usr/local/bin/app")
	return b, run
}

// Mermaid draws the stages and what each takes from the others. Put the
// output in a ```mermaid block of a README and GitHub draws it.
func ExampleBuild_Mermaid() {
	b, run := graphBuild()
	graph, err := b.Mermaid(multistage.Target(run))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(graph))
	// Output:
	// flowchart TB
	//     s0["build<br>FROM golang:1.22"]
	//     s2["run<br>FROM alpine:latest"]:::target
	//     i0[("nginx:alpine")]
	//     subgraph unused["not needed for run"]
	//         s1["test<br>FROM build"]:::unused
	//     end
	//     s0 -->|"FROM"| s1
	//     s0 -->|"COPY /out/app → /usr/local/bin/app"| s2
	//     i0 -->|"COPY /etc/mime.types → /etc/mime.types"| s2
	//     classDef target stroke-width:3px
	//     classDef unused stroke-dasharray:5 5
}

// DOT is the same graph for Graphviz: "dot -Tsvg build.dot > build.svg".
func ExampleBuild_DOT() {
	b, run := graphBuild()
	graph, err := b.DOT(multistage.Target(run))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(graph))
	// Output:
	// digraph build {
	// 	graph [fontname="Helvetica"];
	// 	node [shape=box, style=rounded, fontname="Helvetica"];
	// 	edge [fontname="Helvetica", fontsize=10];
	// 	"build" [label="build\nFROM golang:1.22"];
	// 	"run" [label="run\nFROM alpine:latest", penwidth=3];
	// 	"image nginx:alpine" [label="nginx:alpine", shape=cylinder, style=solid];
	// 	subgraph cluster_unused {
	// 		label="not needed for run";
	// 		style=dashed;
	// 		"test" [label="test\nFROM build", style="rounded,dashed"];
	// 	}
	// 	"build" -> "test" [label="FROM"];
	// 	"build" -> "run" [label="COPY /out/app → /usr/local/bin/app"];
	// 	"image nginx:alpine" -> "run" [label="COPY /etc/mime.types → /etc/mime.types"];
	// }
}
