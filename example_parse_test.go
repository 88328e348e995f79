package multistage_test

import (
	"errors"
	"fmt"

	"github.com/multistage/multistage"
)

// A Dockerfile whose "docs" stage the builder API cannot express (its
// ONBUILD trigger names a stage by index) still gives its other targets:
// ParseKeepGoing leaves that stage out, with the stage based on it, and
// ParseTargets tells which stage each --target selects, here also a stage
// named scratch, which the API keeps for the empty image.
func ExampleParseKeepGoing() {
	df := []byte(`FROM scratch AS scratch
COPY . /src

FROM golang:1.22 AS build
COPY --from=scratch /src /src
RUN --mount=type=cache,target=/root/.cache/go-build go build -o /app ./...

FROM alpine AS docs
ONBUILD COPY --from=0 /src /docs

FROM docs AS docs-site
RUN make

FROM alpine
COPY --from=build /app /app
`)
	b, err := multistage.ParseDockerfile(df,
		multistage.ParseKeepGoing(func(s multistage.SkippedStage) {
			fmt.Printf("left out %q (line %d): unsupported: %v\n", s.Name, s.Line, errors.Is(s.Err, multistage.ErrUnsupported))
		}),
		multistage.ParseTargets(func(target string, s *multistage.Stage) {
			fmt.Printf("--target %q builds stage %q\n", target, s.Name())
		}),
		multistage.ParseWarnings(func(w multistage.ParseWarning) { fmt.Println("warning:", w) }))
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := b.Dockerfile()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// warning: line 1: stage name "scratch" is not a stage name of the builder API: this stage is imported as "stage-0", and what refers to it refers to that stage
	// left out "docs" (line 8): unsupported: true
	// left out "docs-site" (line 11): unsupported: true
	// --target "" builds stage "stage-4"
	// --target "scratch" builds stage "stage-0"
	// --target "build" builds stage "build"
	// FROM scratch AS stage-0
	// COPY . /src
	//
	// FROM golang:1.22 AS build
	// COPY --from=stage-0 /src /src
	// RUN --mount=type=cache,target=/root/.cache/go-build go build -o /app ./...
	//
	// FROM alpine AS stage-4
	// COPY --from=build /app /app
}
