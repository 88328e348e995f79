package multistage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/solver/pb"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/testresolver"
)

func TestLint(t *testing.T) {
	b := multistage.New()
	b.Arg("GITHUB_TOKEN").Arg("GO_VERSION", "1.22").ArgExpand("registry_password", "${GO_VERSION}")
	b.Stage("build").From("golang:1.22").
		Env("CGO_ENABLED", "0").
		Env("NPM_TOKEN", "abc").
		EnvExpand("Api_Key", "$GO_VERSION").
		Arg("DB_PASSWORD", "hunter2").
		ArgExpand("AWS_SECRET_ACCESS_KEY", "x").
		Arg("GITHUB_TOKEN").
		Env("TOKEN_FILE", "/run/secrets/token").
		Env("KEYBOARD", "us").
		Env("MONKEY", "banana").
		Run("make", multistage.SecretMount("npm_token", multistage.SecretEnv("NPM_TOKEN")))
	b.Stage("bad").From("alpine:3.20").Env("bad key", "v").Env("AUTH", "basic").
		EnvExpandAll("HOME", "/root", "SIGNING_KEY", "$HOME/key", "DEPLOY_KEY", "x").
		OnBuild("ENV BASE_TOKEN=abc").
		OnBuild("ARG PUBLIC_KEY").
		OnBuild("ARG PASSWORD")

	want := []multistage.Warning{
		{Stage: "", Index: 0, Instruction: "ARG"},
		{Stage: "", Index: 2, Instruction: "ARG"},
		{Stage: "build", Index: -1, Instruction: "FROM"}, // Go 1.22 is past its end of life
		{Stage: "build", Index: 1, Instruction: "ENV"},
		{Stage: "build", Index: 2, Instruction: "ENV"},
		{Stage: "build", Index: 3, Instruction: "ARG"},
		{Stage: "build", Index: 4, Instruction: "ARG"},
		{Stage: "build", Index: 5, Instruction: "ARG"},
		{Stage: "bad", Index: 0, Instruction: "ENV"},
		{Stage: "bad", Index: 1, Instruction: "ENV"},
		{Stage: "bad", Index: 1, Instruction: "ENV"},
		{Stage: "bad", Index: 2, Instruction: "ONBUILD"},
		{Stage: "bad", Index: 4, Instruction: "ONBUILD"},
	}
	got := b.Lint()
	for i := range got {
		if got[i].Instruction != "FROM" && !strings.Contains(got[i].Message, "SecretMount") {
			t.Errorf("warning %v does not point to SecretMount", got[i])
		}
		if !strings.Contains(got[i].String(), got[i].Instruction) {
			t.Errorf("%q does not name %s", got[i].String(), got[i].Instruction)
		}
		got[i].Message = ""
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Lint mismatch (-want +got):\n%s", d)
	}

	clean := multistage.New()
	clean.Stage("s").From("alpine:3.20").Env("PATH", "/bin").Arg("VERSION", "1")
	if w := clean.Lint(); w != nil {
		t.Errorf("Lint of a clean build: %v, want nil", w)
	}
}

// TestLintEndOfLife: a base image whose release line is past its end of
// life gets a warning on its FROM, also through a build arg's default;
// tags of no line, args without a default and stages named by a build arg
// do not. The lines here ended long ago, so the test does not depend on
// the day it runs.
func TestLintEndOfLife(t *testing.T) {
	b := multistage.New()
	b.Arg("NODE_VERSION", "20").Arg("GO").Arg("BASE", "deps").ArgExpand("RUNTIME", "node:${NODE_VERSION}-slim")
	b.Stage("deps").FromExpand("node:${NODE_VERSION}")
	b.Stage("lts").From("node:lts-slim")
	b.Stage("go").From("golang:1.22.5-alpine")
	b.Stage("go-unknown").FromExpand("golang:${GO}")
	b.Stage("dotnet").From("mcr.microsoft.com/dotnet/aspnet:6.0")
	b.Stage("java").From("maven:3.9-eclipse-temurin-23")
	b.Stage("stage").FromExpand("${BASE}")
	b.Stage("runtime").FromExpand("$RUNTIME")

	got := b.Lint()
	var stages []string
	for _, w := range got {
		if w.Instruction != "FROM" || w.Index != -1 {
			t.Errorf("unexpected warning %v", w)
		}
		stages = append(stages, w.Stage)
	}
	if want := []string{"deps", "go", "dotnet", "java", "runtime"}; !slices.Equal(stages, want) {
		t.Fatalf("warnings on the FROM of %q, want %q:\n%v", stages, want, got)
	}
	for i, want := range [][]string{
		{"node:${NODE_VERSION}, which is node:20 with the build args' defaults", "Node.js 20", "2026-04-30", "https://github.com/nodejs/Release"},
		{"golang:1.22.5-alpine is Go 1.22", "2025-02-11", "https://go.dev/doc/devel/release#policy"},
		{".NET 6.0", "2024-11-12"},
		{"Java 23", "2025-03-01", "https://adoptium.net/support/"},
		{"node:20-slim", "Node.js 20"},
	} {
		for _, w := range want {
			if !strings.Contains(got[i].Message, w) {
				t.Errorf("%v: message does not say %q", got[i], w)
			}
		}
	}
	if s := got[0].String(); !strings.HasPrefix(s, `stage "deps": FROM: node:${NODE_VERSION}`) {
		t.Errorf("String() = %q", s)
	}
}

// TestLintAgreesWithBuildKit checks that Lint finds a secret-looking name
// exactly when BuildKit's own check (SecretsUsedInArgOrEnv, as run by
// "docker build --check") does on the rendered Dockerfile.
func TestLintAgreesWithBuildKit(t *testing.T) {
	names := []string{
		"NPM_TOKEN", "token", "GITHUB_TOKEN_FILE", "api_key", "APIKEY", "MY_APIKEY_V2", "DB_PASSWORD",
		"PASSWD", "PWORD", "AUTH", "AUTHOR", "OAUTH", "credentials_json", "CREDENTIAL", "SECRET",
		"SECRET_MESSAGE", "public_key", "KEY_VERSION", "KEYS", "MONKEY", "HOME", "GOPATH", "SSH_KEY_FILE",
		"aws_secret_access_key", "PASSWORD_", "_TOKEN", "Token_X",
	}
	for _, name := range names {
		for _, kind := range []string{"ENV", "ARG"} {
			b := multistage.New()
			s := b.Stage("s").From("alpine:3.20")
			if kind == "ENV" {
				s.Env(name, "v")
			} else {
				s.Arg(name, "v")
			}
			df, err := b.Dockerfile()
			if err != nil {
				t.Fatal(err)
			}
			var rules []string
			caps := pb.Caps.CapSet(pb.Caps.All())
			_, err = dockerfile2llb.Dockerfile2LLB(context.Background(), df, dockerfile2llb.ConvertOpt{
				MetaResolver: testresolver.New(),
				LLBCaps:      &caps,
				Warn: func(rule, _, _, _ string, _ []parser.Range) {
					rules = append(rules, rule)
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			buildkit := slices.Contains(rules, "SecretsUsedInArgOrEnv")
			lint := len(b.Lint()) > 0
			if lint != buildkit {
				t.Errorf("%s %s: Lint warns: %v, BuildKit warns: %v", kind, name, lint, buildkit)
			}
		}
	}
}

// TestSecretMountDoesNotLeak checks that a secret given only through
// SecretMount stays out of everything the library produces: the build
// refers to it by id, and its value, which BuildKit reads from the client
// when the build runs, is in neither the Dockerfile, nor the LLB, nor the
// image config; nor is the env var it is exposed as set in the image or in
// any exec op's environment.
func TestSecretMountDoesNotLeak(t *testing.T) {
	const value = "hunter2-s3cr3t-value"
	secrets := map[string][]byte{"npm_token": []byte(value), "npmrc": []byte("//registry/:_authToken=" + value)}

	b := multistage.New()
	b.Stage("s").From("node:lts").
		Workdir("/app").
		Run("npm ci", multistage.SecretMount("npm_token", multistage.SecretEnv("NPM_TOKEN"), multistage.Required())).
		Run("npm publish", multistage.SecretMount("npmrc", multistage.MountTarget("/root/.npmrc"))).
		Cmd("node", "server.js")
	if w := b.Lint(); w != nil {
		t.Errorf("Lint: %v", w)
	}
	res := crossCheck(t, b, "secret mounts")
	c := res.Compiled

	cfg, err := json.Marshal(c.DockerImage)
	if err != nil {
		t.Fatal(err)
	}
	var defBytes []byte
	for _, dt := range c.Definition.Def {
		defBytes = append(defBytes, dt...)
	}
	for what, out := range map[string][]byte{"Dockerfile": res.Dockerfile, "LLB": defBytes, "image config": cfg} {
		for id, secret := range secrets {
			if bytes.Contains(out, secret) || bytes.Contains(out, []byte(value)) {
				t.Errorf("the %s holds the value of secret %s", what, id)
			}
		}
	}
	if bytes.Contains(cfg, []byte("NPM_TOKEN")) || bytes.Contains(cfg, []byte("npm_token")) {
		t.Errorf("the image config names the secret: %s", cfg)
	}
	if regexp.MustCompile(`(?m)^(ENV|ARG)\b.*(?i:npm_token|npmrc)`).Match(res.Dockerfile) {
		t.Errorf("the Dockerfile sets the secret with ENV or ARG:\n%s", res.Dockerfile)
	}

	// The exec ops get the secrets as secret env and secret mounts, never
	// as plain environment.
	var secretEnv, secretMounts []string
	for _, dt := range c.Definition.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		e := op.GetExec()
		if e == nil {
			continue
		}
		for _, kv := range e.Meta.Env {
			if strings.HasPrefix(kv, "NPM_TOKEN=") {
				t.Errorf("exec op %q has %s in its environment", e.Meta.Args, kv)
			}
		}
		for _, se := range e.Secretenv {
			secretEnv = append(secretEnv, se.ID+"="+se.Name)
		}
		for _, m := range e.Mounts {
			if m.MountType == pb.MountType_SECRET {
				secretMounts = append(secretMounts, m.SecretOpt.ID+":"+m.Dest)
			}
		}
	}
	if d := cmp.Diff([]string{"npm_token=NPM_TOKEN"}, secretEnv); d != "" {
		t.Errorf("secret env (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"npmrc:/root/.npmrc"}, secretMounts); d != "" {
		t.Errorf("secret mounts (-want +got):\n%s", d)
	}
}
