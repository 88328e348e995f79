package multistage

import (
	"fmt"
	"regexp"

	"github.com/multistage/multistage/internal/ir"
)

// Warning is something in a build that works but is likely a mistake,
// reported by [Build.Lint].
type Warning struct {
	// Stage is the name of the stage; empty for a build arg declared
	// before the first stage with [Build.Arg] or [Build.ArgExpand].
	Stage string
	// Index is the position of the instruction in the stage, from 0, or
	// the position of the build arg among the build args.
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
func (b *Build) Lint() []Warning {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Warning
	for i, a := range b.args {
		if w, ok := lintArg("", i, a.arg); ok {
			out = append(out, w)
		}
	}
	for _, s := range b.stages {
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
