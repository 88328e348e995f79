package multistage

import (
	"fmt"
	"regexp"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/multistage/multistage/internal/ir"
	"github.com/multistage/multistage/internal/lifecycle"
)

// Warning is something in a build that works but is likely a mistake,
// reported by [Build.Lint].
type Warning struct {
	// Stage is the name of the stage; empty for a build arg declared
	// before the first stage with [Build.Arg] or [Build.ArgExpand].
	Stage string
	// Index is the position of the instruction in the stage, from 0, or
	// the position of the build arg among the build args; -1 for the
	// stage's FROM.
	Index int
	// Instruction is the Dockerfile instruction, such as "ENV".
	Instruction string
	// Message says what is wrong and what to do instead.
	Message string
}

// String returns the warning as one line, naming where it is.
func (w Warning) String() string {
	if w.Stage == "" {
		return fmt.Sprintf("%s before the first stage (%d): %s", w.Instruction, w.Index+1, w.Message)
	}
	if w.Index < 0 {
		return fmt.Sprintf("stage %q: %s: %s", w.Stage, w.Instruction, w.Message)
	}
	return fmt.Sprintf("stage %q: instruction %d (%s): %s", w.Stage, w.Index+1, w.Instruction, w.Message)
}

// Secret-looking names are found as BuildKit's SecretsUsedInArgOrEnv
// check finds them (dockerfile2llb validations.go), so that Lint and
// "docker build --check" on the rendered Dockerfile agree: one of the words
// of the name, split at '_' and case-insensitive, is a secret word (TOKEN,
// PASSWORD, KEY, SECRET, AUTH, ...), and none is a word that marks it
// harmless (PUBLIC, FILE, VERSION: GITHUB_TOKEN_FILE names a file).
var (
	secretName = regexp.MustCompile(`(?i)(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)`)
	safeName   = regexp.MustCompile(`(?i)(?:_|^)(?:public|file|version)(?:_|$)`)
)

// looksSecret reports whether an env or arg name looks like it holds a
// secret.
func looksSecret(name string) bool {
	return secretName.MatchString(name) && !safeName.MatchString(name)
}

// Lint returns warnings about things in the build that work but are
// likely mistakes, in the order of the stages and their instructions, the
// build args first. It returns nil when there is nothing to warn about.
// Lint does not validate the build: see [Build.Validate].
//
// Lint warns when a name that looks like it holds a secret (one ending in
// _TOKEN, _PASSWORD, _KEY or _SECRET, and the like, case-insensitive) is
// set with [Stage.Env], [Stage.EnvExpand] or [Stage.EnvExpandAll], or
// declared as a build arg with [Build.Arg], [Build.ArgExpand], [Stage.Arg]
// or [Stage.ArgExpand], also in a [Stage.OnBuild] trigger:
// an ENV value is stored in the image config, and a build arg's value is
// kept in the image history and in the build's provenance. Pass secrets
// with [SecretMount] instead, which mounts them for one [Stage.Run] only:
//
//	RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
//
// Lint also warns, on the stage's FROM, when a stage's base image is a
// release line of Go (golang), Node.js (node), Python (python), .NET
// (mcr.microsoft.com/dotnet/sdk, aspnet, runtime, runtime-deps) or Java
// (eclipse-temurin, and maven's eclipse-temurin tags) whose support has
// ended on the day Lint runs, by the project's own published schedule:
// node:20-slim after 2026-04-30, golang:1.22 after Go 1.24 came out. Such
// an image gets no security fixes. A base given with [Stage.FromExpand]
// is read with the defaults of the build args declared before the first
// stage, as a build without --build-arg would resolve it; a tag that names
// no release line, such as node:lts or golang:latest, is not checked.
func (b *Build) Lint() []Warning {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Warning
	for i, a := range b.args {
		if w, ok := lintArg("", i, a.arg); ok {
			out = append(out, w)
		}
	}
	now := time.Now()
	var args map[string]string
	for _, s := range b.stages {
		if s.base.Image != "" && s.baseFrom == nil {
			if s.base.ExpandImage && args == nil {
				args = b.argDefaults()
			}
			if w, ok := lintBase(s, args, now); ok {
				out = append(out, w)
			}
		}
		for i, in := range s.instrs {
			out = append(out, lintInstruction(s.name, i, in.name, in.ir, "")...)
		}
	}
	return out
}

// lintInstruction returns the warnings about one instruction; an ONBUILD
// trigger is linted as the instruction it runs, in the builds that use the
// image.
func lintInstruction(stage string, index int, name string, in ir.Instruction, trigger string) []Warning {
	var out []Warning
	env := func(key string) {
		if looksSecret(key) {
			out = append(out, Warning{Stage: stage, Index: index, Instruction: name,
				Message: fmt.Sprintf("%s%s looks like a secret: an ENV value is stored in the image config, where anyone who pulls the image can read it; mount the secret for the command that needs it with SecretMount(id, SecretEnv(%q))", trigger, key, key)})
		}
	}
	switch x := in.(type) {
	case *ir.Env:
		env(x.Key)
	case *ir.EnvGroup:
		for _, e := range x.Vars {
			env(e.Key)
		}
	case *ir.ArgDecl:
		if w, ok := lintArg(stage, index, x.Arg); ok {
			w.Instruction = name
			w.Message = trigger + w.Message
			out = append(out, w)
		}
	case *ir.OnBuild:
		for _, t := range x.Triggers {
			out = append(out, lintInstruction(stage, index, name, t, "in the ONBUILD trigger, ")...)
		}
	}
	return out
}

func lintArg(stage string, index int, a ir.Arg) (Warning, bool) {
	if !looksSecret(a.Name) {
		return Warning{}, false
	}
	what := "a build arg's value"
	if a.Default != nil {
		what = "its default and any --build-arg value"
	}
	return Warning{Stage: stage, Index: index, Instruction: "ARG",
		Message: fmt.Sprintf("%s looks like a secret: %s is kept in the image history and the build's provenance; mount the secret for the command that needs it with SecretMount(id, SecretEnv(%q))", a.Name, what, a.Name)}, true
}

// argEnv is a set of build arg values for the shell lexer.
type argEnv map[string]string

func (e argEnv) Get(k string) (string, bool) { v, ok := e[k]; return v, ok }

func (e argEnv) Keys() []string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	return keys
}

// argDefaults returns the values of the build args declared before the
// first stage as a build without --build-arg gives them: their defaults,
// expanded where they are templates. An arg without a default, or whose
// default cannot be expanded, has none.
func (b *Build) argDefaults() map[string]string {
	env := argEnv{}
	lex := shell.NewLex('\\')
	for _, r := range b.args {
		a := r.arg
		if a.Default == nil {
			delete(env, a.Name)
			continue
		}
		v := *a.Default
		if a.Expand {
			res, err := lex.ProcessWordWithMatches(v, env)
			if err != nil {
				delete(env, a.Name)
				continue
			}
			v = res.Result
		}
		env[a.Name] = v
	}
	return env
}

// lintBase warns when the base image of s is a release line past its end
// of life on the day of now; args are the build arg defaults a FromExpand
// reference is expanded with.
func lintBase(s *Stage, args map[string]string, now time.Time) (Warning, bool) {
	ref, what := s.base.Image, s.base.Image
	if s.base.ExpandImage {
		res, err := shell.NewLex('\\').ProcessWordWithMatches(ref, argEnv(args))
		if err != nil || len(res.Unmatched) > 0 {
			return Warning{}, false
		}
		if res.Result != ref {
			what = fmt.Sprintf("%s, which is %s with the build args' defaults,", ref, res.Result)
			ref = res.Result
		}
	}
	for _, o := range s.build.stages[:s.index] {
		if o.name == ref {
			return Warning{}, false // FROM an earlier stage named by a build arg
		}
	}
	l, ok := lifecycle.ForImage(ref)
	if !ok {
		return Warning{}, false
	}
	msg := lifecycle.Warning(what, l, now)
	if msg == "" {
		return Warning{}, false
	}
	return Warning{Stage: s.name, Index: -1, Instruction: "FROM", Message: msg + "; choose a supported version for the base image"}, true
}
