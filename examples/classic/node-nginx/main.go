// Command node-nginx is the classic two-stage web front-end build written with
// multistage: npm run build on node:20, serve the static files with nginx.
//
// It prints the Dockerfile and a summary of the LLB, one line per op; with
// -llb, the whole LLB as JSON; with -buildkit-addr (default $BUILDKIT_HOST),
// it also builds the image on that BuildKit daemon. Run it from the root of
// the repository:
//
//	go run ./examples/classic/node-nginx [-llb] [-buildkit-addr unix:///run/buildkit/buildkitd.sock] [-context dir] [-o image.tar]
//
// pipeline uses only the public API: copy it and change it.
package main

import (
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
	examplecli.Main(pipeline(), "testdata/apps/node-nginx")
}
