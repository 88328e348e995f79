package multistage_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/multistage/multistage"
)

// Dial connects to Docker Engine's BuildKit ("docker"), and Load puts the
// image where "docker run" finds it.
func ExampleDial() {
	ctx := context.Background()
	b := multistage.New()
	build := b.Stage("build").From("golang:1.22").Workdir("/src").Copy(".", ".").
		Run("CGO_ENABLED=0 go build -o /out/app .")
	b.Stage("run").From("gcr.io/distroless/static-debian12:nonroot").
		CopyFrom(build, "/out/app", "/app").Entrypoint("/app")

	c, err := multistage.Dial(ctx, "docker") // or "", tcp://builder:1234, docker-container://buildkitd, ...
	if errors.Is(err, multistage.ErrDial) {
		log.Fatalf("no Docker Engine here: %v", err)
	} else if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	res, err := b.Solve(ctx, c,
		multistage.ContextDir("."),
		multistage.Load("app:dev"), // then: docker run --rm app:dev
		multistage.Progress("auto", os.Stderr))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("built", res.Digest)
}
