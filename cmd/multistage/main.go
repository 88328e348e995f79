// Command multistage builds container images of projects with the presets
// of github.com/multistage/multistage, without writing Go:
//
//	multistage detect [dir]                  which presets fit dir, and why
//	multistage dockerfile [dir] [flags]      the Dockerfile of the preset, to keep in the repository
//	multistage build [dir] [flags]           build the image with BuildKit or Docker Engine
//
// dir is the project directory (the default is the current directory).
// Flags may come before or after it; "multistage <command> --help" lists
// them, with examples. Install it with
//
//	go install github.com/multistage/multistage/cmd/multistage@latest
//
// # Where it builds
//
// build uses the BuildKit at --addr: any address of [multistage.Dial]
// ("docker" for Docker Engine's built-in BuildKit, unix://, tcp://,
// docker-container://, kube-pod://, ...). The default is $BUILDKIT_HOST,
// else Docker Engine. --load puts the image into Docker Engine for
// "docker run", from any BuildKit.
//
// # Exit status
//
//	0  success
//	1  the build, or reading the project, failed
//	2  usage: unknown command or flag, bad flag value, dir is not a directory
//	3  no preset fits the project (or not the one --preset names)
//	4  BuildKit or Docker Engine cannot be reached
//	130  interrupted
//
// Errors are printed on one line to standard error, prefixed with
// "multistage: ".
package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if code != exitOK && errors.Is(ctx.Err(), context.Canceled) {
		code = exitInterrupted
	}
	stop()
	os.Exit(code)
}
