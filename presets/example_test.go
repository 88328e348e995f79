package presets_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/presets"
)

// The Go preset with its defaults, and one more instruction added to its
// runtime stage by the caller.
func ExampleGo() {
	g := presets.Go(presets.GoOptions{Package: "./cmd/server", Binary: "server"})
	g.Runtime.Label("org.opencontainers.image.source", "https://example.com/server")
	df, err := g.Build.Dockerfile()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(df))
	// Output:
	// ARG GO_VERSION=1.27
	//
	// FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
	// WORKDIR /src
	// COPY go.mod ./
	// COPY go.sum* ./
	// RUN --mount=type=cache,target=/go/pkg/mod go mod download
	// COPY . .
	// ARG TARGETOS
	// ARG TARGETARCH
	// RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath '-ldflags=-s -w' -o /out/server ./cmd/server
	//
	// FROM gcr.io/distroless/static-debian12:nonroot AS runtime
	// COPY --from=build --link /out/server /usr/local/bin/server
	// USER 65532:65532
	// EXPOSE 8080
	// ENTRYPOINT ["/usr/local/bin/server"]
	// LABEL org.opencontainers.image.source=https://example.com/server
}

// A test stage branched from the builder of the Go preset: it reuses the
// downloaded modules and the build cache.
func ExampleGoBuild_test() {
	g := presets.Go(presets.GoOptions{})
	g.Build.Stage("test").FromStage(g.Builder).
		Run("go test ./...", presets.GoCache())
	df, err := g.Build.Dockerfile(multistage.Target(g.Build.Lookup("test")))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(df))
	// Output:
	// ARG GO_VERSION=1.27
	//
	// FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
	// WORKDIR /src
	// COPY go.mod ./
	// COPY go.sum* ./
	// RUN --mount=type=cache,target=/go/pkg/mod go mod download
	// COPY . .
	// ARG TARGETOS
	// ARG TARGETARCH
	// RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath '-ldflags=-s -w' -o /out/app .
	//
	// FROM build AS test
	// RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go test ./...
}

// The fragments of the presets in a build written by hand.
func ExampleGoModDownload() {
	b := multistage.New()
	b.Stage("lint").From("golang:1.27").
		Workdir("/src").
		With(presets.GoModDownload).
		Copy(".", ".").
		Run("go vet ./...", presets.GoCache())
	df, err := b.Dockerfile()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(df))
	// Output:
	// FROM golang:1.27 AS lint
	// WORKDIR /src
	// COPY go.mod ./
	// COPY go.sum* ./
	// RUN --mount=type=cache,target=/go/pkg/mod go mod download
	// COPY . .
	// RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go vet ./...
}

// A static site built with the pnpm the project pins and served as a
// single-page application.
func ExampleNodeStatic() {
	site := presets.NodeStatic(presets.NodeStaticOptions{Lockfile: "pnpm-lock.yaml", PackageManagerVersion: "9.15.9",
		OutputDir: "build", SPA: true})
	df, err := site.Build.Dockerfile()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(df))
	// Output:
	// ARG NODE_VERSION=26
	//
	// FROM --platform=$BUILDPLATFORM node:${NODE_VERSION} AS build
	// RUN --mount=type=cache,target=/root/.npm npm install -g --no-audit --no-fund corepack@0.36.0 && corepack enable pnpm && corepack install -g pnpm@9.15.9
	// WORKDIR /app
	// COPY package.json ./
	// COPY pnpm-lock.yaml ./
	// RUN --mount=type=cache,target=/root/.local/share/pnpm/store pnpm install --frozen-lockfile --store-dir=/root/.local/share/pnpm/store
	// COPY --exclude=**/node_modules . .
	// RUN pnpm run build
	//
	// FROM nginx:alpine AS runtime
	// RUN --network=none <<'EOF'
	// cat > /etc/nginx/conf.d/default.conf <<'CONF'
	// server {
	//     listen 80;
	//     server_name _;
	//     root /usr/share/nginx/html;
	//     index index.html;
	//     location / {
	//         try_files $uri $uri/ /index.html;
	//     }
	// }
	// CONF
	// EOF
	// COPY --from=build --link /app/build /usr/share/nginx/html
	// EXPOSE 80
	// CMD ["nginx", "-g", "daemon off;"]
}

// Detect looks at a project and returns the presets that fit it.
func ExampleDetect() {
	dir, err := os.MkdirTemp("", "detect")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	for name, content := range map[string]string{
		"pom.xml": `<project><artifactId>hello</artifactId><version>1.0.0</version>
			<properties><maven.compiler.release>21</maven.compiler.release></properties>
			<build><plugins><plugin><artifactId>maven-jar-plugin</artifactId><configuration><archive><manifest>
				<mainClass>com.example.Hello</mainClass>
			</manifest></archive></configuration></plugin></plugins></build></project>`,
		"requirements.txt": "flask==3.1.3\ngunicorn==23.0.0\n",
		"app.py":           "from flask import Flask\n\napp = Flask(__name__)\n",
		".python-version":  "3.12\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			fmt.Println(err)
			return
		}
	}
	found, err := presets.Detect(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range found {
		fmt.Printf("%s: %s\n", d.Preset, d.Reason)
	}
	df, err := found[0].Build().Dockerfile()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(df))
	// Output:
	// maven: pom.xml; builds target/hello-1.0.0.jar (maven-jar-plugin with a Main-Class and no dependencies), Java 21 (maven.compiler.release); port 8080 assumed, set Port
	// python: requirements.txt; Python 3.12 (.python-version); runs the Flask application app:app under gunicorn; port 8000 assumed, set Port
	// ARG JAVA_VERSION=21
	//
	// FROM --platform=$BUILDPLATFORM maven:3.9-eclipse-temurin-${JAVA_VERSION} AS build
	// ENV MAVEN_OPTS="-XX:TieredStopAtLevel=1"
	// WORKDIR /src
	// COPY pom.xml ./
	// COPY src ./src
	// RUN --mount=type=cache,target=/root/.m2,sharing=locked mvn -B package -DskipTests
	//
	// FROM eclipse-temurin:${JAVA_VERSION}-jre AS runtime
	// WORKDIR /app
	// COPY --from=build --link /src/target/hello-1.0.0.jar app.jar
	// USER 65532:65532
	// EXPOSE 8080
	// ENTRYPOINT ["java", "-jar", "/app/app.jar"]
}

// A Node.js stage that builds the web UI in ui/ for a Go server that
// embeds it (//go:embed ui/build): the Go builder copies the stage's
// output to where the embed pattern looks, before it compiles.
func ExampleNodeBuildStage() {
	b := multistage.New()
	ui, out := presets.NodeBuildStage(b, "ui", presets.NodeBuildOptions{Dir: "ui", OutputDir: "build"})
	b.Stage("build").From("golang:1.24").
		Workdir("/src").
		Copy(".", ".", multistage.Exclude("ui/node_modules")).
		CopyFrom(ui, out, "./ui/build").
		Run("CGO_ENABLED=0 go build -o /out/server .", presets.GoCache())
	df, err := b.Dockerfile()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(df))
	// Output:
	// ARG NODE_VERSION=26
	//
	// FROM --platform=$BUILDPLATFORM node:${NODE_VERSION} AS ui
	// ENV NPM_CONFIG_UPDATE_NOTIFIER=false
	// WORKDIR /app/ui
	// COPY ui/package*.json ./
	// RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
	// COPY --exclude=**/node_modules ui .
	// RUN npm run build
	//
	// FROM golang:1.24 AS build
	// WORKDIR /src
	// COPY --exclude=ui/node_modules . .
	// COPY --from=ui /app/ui/build ./ui/build
	// RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o /out/server .
}
