// Command node-nginx is the classic two-stage web front-end build written with
// multistage: npm run build on node:20, serve the static files with nginx.
//
// It prints the Dockerfile and a summary of the LLB, and builds the image
// when given somewhere to build.
//
// Run it from the root of the repository:
//
//	go run ./examples/classic/node-nginx                                 # print only
//	go run ./examples/classic/node-nginx -load classic-node-nginx:dev    # build on $BUILDKIT_HOST, else Docker Engine; load into Docker
//	go run ./examples/classic/node-nginx -addr docker -o node-nginx.tar  # build on Docker Engine, write an OCI tarball
//
// Flags: -addr (default $BUILDKIT_HOST), -load, -o, -context, -progress, -llb.
// pipeline uses only the public API, and main is what a program of yours
// needs: copy them and change the build.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/examplecli"
)

// pipeline is the build:
//
//	FROM node:20 AS build
//	WORKDIR /app
//	COPY package*.json ./
//	RUN npm install
//	COPY . .
//	RUN npm run build
//
//	FROM nginx:alpine AS web
//	COPY --from=build /app/build /usr/share/nginx/html
//	EXPOSE 80
//	CMD ["nginx", "-g", "daemon off;"]
//
// The runtime image holds nginx and the built site, not Node.js or
// node_modules.
func pipeline() *multistage.Build {
	b := multistage.New()
	build := b.Stage("build").From("node:20").
		Workdir("/app").
		Copy("package*.json", "./").
		Run("npm install").
		Copy(".", ".").
		Run("npm run build")
	b.Stage("web").From("nginx:alpine").
		CopyFrom(build, "/app/build", "/usr/share/nginx/html").
		Expose(80).
		Cmd("nginx", "-g", "daemon off;")
	return b
}

func main() {
	f := examplecli.Flags("testdata/apps/node-nginx")

	// The build.
	b := pipeline()

	// Its Dockerfile and LLB, printed (-llb: the whole LLB as JSON).
	examplecli.Show(b, f.LLB)
	if !f.Build() {
		return
	}

	// Connect: "docker" is Docker Engine's built-in BuildKit; "" is
	// $BUILDKIT_HOST, else Docker Engine.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c, err := multistage.Dial(ctx, f.Addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	// Build, with the outputs asked for.
	opts := []multistage.SolveOption{
		multistage.ContextDir(f.Context),
		multistage.Progress(f.Progress, os.Stderr),
	}
	if f.Load != "" {
		opts = append(opts, multistage.Load(f.Load)) // then: docker run --rm NAME
	}
	if f.OCI != "" {
		opts = append(opts, multistage.OutputOCI(f.OCI))
	}
	res, err := b.Solve(ctx, c, opts...)
	if err != nil {
		log.Fatal(err)
	}

	// The result: the image's digest and config, by platform.
	for platform, img := range res.Images {
		fmt.Printf("# built %s for %s: Entrypoint=%q Cmd=%q User=%q\n",
			res.Digest, platform, img.Config.Entrypoint, img.Config.Cmd, img.Config.User)
	}
}
