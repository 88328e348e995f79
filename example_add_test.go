package multistage_test

import (
	"fmt"

	"github.com/multistage/multistage"
)

// Download a pinned release, check out a tagged repository, and unpack a
// local archive.
func ExampleStage_AddURL() {
	b := multistage.New()
	b.Stage("tools").From("alpine:3.20").
		AddURL("https://example.com/releases/tool-1.2.tgz", "/tmp/",
			multistage.Checksum("sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d")).
		AddGit("https://github.com/example/repo.git#v1.0", "/src", multistage.KeepGitDir()).
		Add("vendor.tar.gz", "/src/vendor/")

	df, err := b.Dockerfile()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(df))
	// Output:
	// FROM alpine:3.20 AS tools
	// ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/releases/tool-1.2.tgz /tmp/
	// ADD --keep-git-dir=true ["https://github.com/example/repo.git#v1.0", "/src"]
	// ADD vendor.tar.gz /src/vendor/
}

// Write a config file inline, and run a Python script given inline.
func ExampleStage_CopyContent() {
	b := multistage.New()
	b.Stage("web").From("nginx:alpine").
		CopyContent("app.conf", "server {\n    listen 8080;\n}\n", "/etc/nginx/conf.d/").
		RunHeredoc("python3 <<'EOF'\nprint(\"configured\")\nEOF").
		CmdShell("nginx -g 'daemon off;'")

	df, err := b.Dockerfile()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(df))
	// Output:
	// FROM nginx:alpine AS web
	// COPY <<'app.conf' /etc/nginx/conf.d/
	// server {
	//     listen 8080;
	// }
	// app.conf
	// RUN python3 <<'EOF'
	// print("configured")
	// EOF
	// CMD nginx -g 'daemon off;'
}
