package multistage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/crosscheck"
	"github.com/multistage/multistage/internal/testresolver"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestSpecialBuildArgs checks the build args that mean more to BuildKit
// than a variable: the proxy args, which become the proxy of every RUN
// whether an ARG declares them or not; SOURCE_DATE_EPOCH, which dates
// the history and the directories WORKDIR creates; and the ones the
// frontend reads as its options (BUILDKIT_SANDBOX_HOSTNAME,
// BUILDKIT_CACHE_MOUNT_NS). Compile must give what
// the frontend gives, for build args and for global ARG defaults.
func TestSpecialBuildArgs(t *testing.T) {
	windows := ocispecs.Platform{OS: "windows", Architecture: "amd64"}
	for _, tc := range []struct {
		reason   string
		build    func(b *multistage.Build)
		args     map[string]string
		platform *ocispecs.Platform
	}{
		{"every proxy arg, in both letter cases, none declared", func(b *multistage.Build) {
			b.Stage("s").From("alpine:3.20").Run("true").Run("echo $HTTP_PROXY", multistage.Network("none"))
		}, map[string]string{"HTTP_PROXY": "http://p:3128", "https_proxy": "http://q:3128", "FTP_PROXY": "ftp://f", "no_proxy": "localhost", "ALL_PROXY": "socks5://s"}, nil},
		{"two spellings of one proxy arg: the last in sorted order wins", func(b *multistage.Build) {
			b.Stage("s").From("alpine:3.20").Run("true")
		}, map[string]string{"HTTP_PROXY": "http://upper", "http_proxy": "http://lower"}, nil},
		{"a proxy arg also declared, in a later stage", func(b *multistage.Build) {
			a := b.Stage("a").From("alpine:3.20").Arg("HTTP_PROXY").Run("echo $HTTP_PROXY")
			b.Stage("s").FromStage(a).Run("true")
		}, map[string]string{"HTTP_PROXY": "http://p"}, nil},
		{"SOURCE_DATE_EPOCH as a build arg", func(b *multistage.Build) {
			b.Stage("s").From("alpine:3.20").Workdir("/app").Env("A", "1").Run("true").User("nobody").Workdir("/home/x")
		}, map[string]string{"SOURCE_DATE_EPOCH": "1700000000"}, nil},
		{"SOURCE_DATE_EPOCH as a global ARG default, written back normalized", func(b *multistage.Build) {
			b.Arg("SOURCE_DATE_EPOCH", "0017")
			b.Stage("s").From("alpine:3.20").Arg("SOURCE_DATE_EPOCH").EnvExpand("E", "$SOURCE_DATE_EPOCH").Workdir("/app")
		}, nil, nil},
		{"an empty SOURCE_DATE_EPOCH build arg unsets the global one", func(b *multistage.Build) {
			b.Arg("SOURCE_DATE_EPOCH", "5")
			b.Stage("s").From("alpine:3.20").Arg("SOURCE_DATE_EPOCH").EnvExpand("E", "x${SOURCE_DATE_EPOCH}").Workdir("/app")
		}, map[string]string{"SOURCE_DATE_EPOCH": ""}, nil},
		{"BUILDKIT_SANDBOX_HOSTNAME names the host of every RUN, BUILDKIT_CACHE_MOUNT_NS prefixes cache ids", func(b *multistage.Build) {
			base := b.Stage("base").From("alpine:3.20").Run("hostname")
			b.Stage("s").FromStage(base).Run("true", multistage.CacheMount("/root/.cache"), multistage.CacheMount("/c", multistage.MountID("shared")))
		}, map[string]string{"BUILDKIT_SANDBOX_HOSTNAME": "builder", "BUILDKIT_CACHE_MOUNT_NS": "team-a"}, nil},
		{"a secret env= that expands to empty still asks for an env variable", func(b *multistage.Build) {
			b.Stage("s").From("alpine:3.20").Arg("E", "").
				Run("true", multistage.SecretMount("a", multistage.MountOptionExpand("env", "${E}")))
		}, nil, nil},
		{"a Windows secret target", func(b *multistage.Build) {
			b.Stage("s").From("mcr.microsoft.com/windows/nanoserver:ltsc2022").
				RunExec([]string{"cmd", "/c", "type C:/secrets/tok"}, multistage.SecretMount("tok", multistage.MountTarget("C:/secrets/tok")))
		}, nil, &windows},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			b := multistage.New()
			tc.build(b)
			diff, _, err := crosscheck.Check(context.Background(), b, crosscheck.Options{BuildArgs: tc.args, Platform: tc.platform})
			if err != nil {
				t.Fatal(err)
			}
			if diff != "" {
				t.Errorf("Compile and dockerfile2llb disagree:\n%s", diff)
			}
		})
	}
}

// TestSourceDateEpochRefused: of SOURCE_DATE_EPOCH, Compile takes only a
// Unix time; the frontend's other forms read the build context or a stage
// during the build.
func TestSourceDateEpochRefused(t *testing.T) {
	for _, v := range []string{"context", "yesterday", "1.5"} {
		b := multistage.New()
		b.Stage("s").From("alpine:3.20").Run("true")
		_, err := b.Compile(context.Background(), multistage.WithMetaResolver(testresolver.New()), multistage.BuildArg("SOURCE_DATE_EPOCH", v))
		if !errors.Is(err, multistage.ErrInvalidValue) {
			t.Errorf("SOURCE_DATE_EPOCH=%s: err = %v, want ErrInvalidValue", v, err)
		}
	}
}
