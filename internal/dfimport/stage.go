package dfimport

import (
	"fmt"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

func (w *walker) from(i int, st instructions.Stage) error {
	v, used, err := w.fromWord("image", st.BaseName)
	if err != nil {
		return err
	}
	switch {
	case used:
		raw, err := w.template("image", st.BaseName)
		if err != nil {
			return err
		}
		w.add("FromExpand", raw)
	default:
		// BuildKit looks FROM up among the (lowercased) stage names as
		// written, unlike --from: FROM Build names no stage "build", but
		// an image, whose name is invalid.
		if j, ok := w.names[v]; ok && j < i {
			w.add("FromStage", StageRef(j))
			break
		}
		if _, err := reference.ParseNormalizedNamed(v); err != nil {
			return &SyntaxError{Line: w.line, Err: fmt.Errorf("failed to parse stage name %q: %w", v, err)}
		}
		w.add("From", v)
	}
	if st.Platform != "" {
		// BuildKit expands the platform with the args before the first
		// stage; Platform takes the word as it is.
		p, used, err := w.fromWord("platform", st.Platform)
		if err != nil {
			return err
		}
		if used {
			if p, err = w.template("platform", st.Platform); err != nil {
				return err
			}
		}
		w.add("Platform", p)
	}
	return nil
}

// fromWord is word for the image or platform of a FROM, which BuildKit
// expands with the global args only: a word that refers to none of them
// (FROM alpine$X, with no ARG X before the first stage) is the same in
// every build, with its variables empty, and is imported as that value,
// with a warning.
func (w *walker) fromWord(what, raw string) (string, bool, error) {
	v, t, err := w.words(raw)
	if err != nil {
		return "", false, err
	}
	if !t.used {
		return v, false, nil
	}
	for _, name := range t.names {
		if w.globalArgs[name] {
			return v, true, nil
		}
	}
	v, _, err = w.lex.ProcessWord(raw, &tracker{})
	if err != nil {
		return "", true, nil // ${X:?message}: kept, to fail as BuildKit fails
	}
	w.warn("FROM %s %q refers to %s, which no ARG before the first stage declares: BuildKit reads it as empty, and the import reads %q", what, raw, strings.Join(t.names, ", "), v)
	return v, false, nil
}

// args maps an ARG instruction. BuildKit reads every word of the line as
// an arg, so a '#' after the args starts no comment: the words from the
// '#' on are declared too, as BuildKit declares them (those with a value
// reach the environment of every RUN), with a warning.
func (w *walker) args(a instructions.ArgCommand) ([]Call, error) {
	var out []Call
	for i, kv := range a.Args {
		if strings.HasPrefix(kv.Key, "#") && (i == 0 || !strings.HasPrefix(a.Args[i-1].Key, "#")) {
			var words []string
			for _, r := range a.Args[i:] {
				word := r.Key
				if r.Value != nil {
					word += "=" + *r.Value
				}
				words = append(words, word)
			}
			w.warn("ARG: %q is not a comment: BuildKit declares every word after ARG as a build arg, and so does the import; those with a value are in the environment of every RUN", strings.Join(words, " "))
		}
		if kv.Value == nil {
			out = append(out, Call{Func: "Arg", Args: []any{kv.Key}, Line: w.line})
			continue
		}
		// Unlike ENV and LABEL, BuildKit declares the args of one ARG
		// one after another (dispatchArg, buildMetaArgs), so
		// ARG A=1 B=$A is two Arg calls.
		v, t, err := w.words(*kv.Value)
		if err != nil {
			return nil, err
		}
		if t.used {
			raw, err := w.template("arg default", *kv.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, Call{Func: "ArgExpand", Args: []any{kv.Key, raw}, Line: w.line})
			continue
		}
		out = append(out, Call{Func: "Arg", Args: []any{kv.Key, v}, Line: w.line})
	}
	return out, nil
}

// stageNamed finds a stage by name, as the frontend does: any stage of the
// file, case-insensitively.
func (w *walker) stageNamed(name string) (int, bool) {
	// The last stage of the name, as BuildKit's statesByName keeps it.
	for i := len(w.stages) - 1; i >= 0; i-- {
		if st := w.stages[i]; st.Name != "" && strings.EqualFold(st.Name, name) {
			return i, true
		}
	}
	return 0, false
}

// before refuses, as BuildKit does, a stage used by the stage that defines
// it or by an earlier one.
func (w *walker) before(j int, name string) error {
	if j >= w.index {
		return &SyntaxError{Line: w.line, Err: fmt.Errorf("cannot use stage %q here: it needs to be defined before the current stage", name)}
	}
	return nil
}

// looksLikeStageName reports whether an image reference is a bare name
// with no registry, path, tag or digest, the way a stage name looks.
// "scratch" is none: BuildKit reads it as the empty file system.
func looksLikeStageName(ref string) bool {
	return ref != "scratch" && !strings.ContainsAny(ref, "/:@")
}
