package multistage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client/llb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/crosscheck"
	"github.com/multistage/multistage/internal/testresolver"
)

// FuzzParseDockerfile checks that ParseDockerfile never panics, and that
// whatever it accepts renders to a Dockerfile that it accepts again and
// that renders to the same bytes: ParseDockerfile → Dockerfile is a fixed
// point after one round. The seeds are in testdata/fuzz/FuzzParseDockerfile
// and the corpus files.
func FuzzParseDockerfile(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := multistage.ParseDockerfile(data)
		if err != nil {
			return
		}
		df1, err := b.Dockerfile()
		if err != nil {
			t.Fatalf("ParseDockerfile accepted a build that Dockerfile refuses: %v\n%s", err, data)
		}
		b2, err := multistage.ParseDockerfile(df1)
		if err != nil {
			t.Fatalf("ParseDockerfile refuses its own rendering: %v\n%s", err, df1)
		}
		df2, err := b2.Dockerfile()
		if err != nil {
			t.Fatalf("second Dockerfile: %v", err)
		}
		if d := cmp.Diff(string(df1), string(df2)); d != "" {
			t.Fatalf("not a fixed point (-first +second):\n%s\ninput:\n%s", d, data)
		}
	})
}

// importRefusal is a refusal of ParseDockerfile or of Compile, for a
// target that BuildKit's frontend converts, that FuzzImportDifferential
// accepts: what the builder API still cannot express, or the limits
// BuildKit does not have.
type importRefusal struct {
	name  string
	match func(err error) bool
}

// unsupportedBecause matches an ErrUnsupported whose reason holds text.
func unsupportedBecause(text string) func(error) bool {
	return func(err error) bool {
		var ue *multistage.UnsupportedError
		return errors.As(err, &ue) && strings.Contains(ue.Reason, text)
	}
}

var allowedRefusals = []importRefusal{
	{"expansion beyond the limits", func(err error) bool { return errors.Is(err, multistage.ErrExpansionLimit) }},
	{"an ONBUILD trigger that spans lines", unsupportedBecause("ONBUILD trigger that is not one line")},
	{"an ONBUILD trigger with a stage index", unsupportedBecause("uses a stage by index")},
	{"an ONBUILD trigger with escapes under another escape character", unsupportedBecause("uses escapes under")},
	{"a heredoc with carriage returns", unsupportedBecause("carriage returns")},
	{"an empty RUN", unsupportedBecause("an empty RUN")},
	{"an empty CMD or ENTRYPOINT in shell form", func(err error) bool {
		return unsupportedBecause("an empty CMD has no API")(err) || unsupportedBecause("an empty ENTRYPOINT has no API")(err)
	}},
	{"an exec-form RUN, SHELL or HEALTHCHECK whose program is empty", func(err error) bool { return errors.Is(err, multistage.ErrEmptyCommand) }},
	{"a --chown owner with ',' or '=', which names no user or group", func(err error) bool {
		msg := err.Error()
		return errors.Is(err, multistage.ErrUnsafeValue) && strings.Contains(msg, `chown "`) &&
			(strings.Contains(msg, `any of ",=$`+"`"+`"`) || strings.Contains(msg, `any of ",=`+"`"+`"`))
	}},
	{"a value that is not valid UTF-8 or holds a NUL, which the builder refuses", func(err error) bool {
		return errors.Is(err, multistage.ErrUnsafeValue) && (strings.Contains(err.Error(), "not valid UTF-8") || strings.Contains(err.Error(), "NUL"))
	}},
	{"a checksum that is neither a digest nor a commit id, which BuildKit refuses when it builds", func(err error) bool {
		// A digest or a hexadecimal commit id never holds ',', '=' or '`'.
		return (errors.Is(err, multistage.ErrInvalidValue) && strings.Contains(err.Error(), "must be a hexadecimal commit id")) ||
			(errors.Is(err, multistage.ErrUnsafeValue) && strings.Contains(err.Error(), `checksum "`) && strings.Contains(err.Error(), `any of ",=`+"`"+`"`))
	}},
	{"an ARG name with a quote, '\\', '$' or '`', which no instruction can expand and the builder refuses", func(err error) bool {
		return errors.Is(err, multistage.ErrInvalidValue) && strings.Contains(err.Error(), `arg name "`) && strings.Contains(err.Error(), "may only contain printable ASCII")
	}},
	{"an ENV key that expands to an empty word, one starting with \"--\" or one with a quote, '\\', '$' or '`' or white space (ENV $ 0, ENV \"\"=, ENV A= --=), which the builder refuses in env keys", func(err error) bool {
		msg := err.Error()
		return errors.Is(err, multistage.ErrInvalidValue) && strings.Contains(msg, `env key "`) &&
			(strings.Contains(msg, "may only contain printable ASCII") || strings.Contains(msg, "is empty or starts with"))
	}},
	{"an ONBUILD trigger that BuildKit's parser or lexer refuses or that is no instruction (ONBUILD 00, ONBUILD COPY, ONBUILD #x), which fails or does nothing in every build FROM the image and the builder refuses", func(err error) bool {
		return (unsupportedBecause("trigger")(err) && (strings.Contains(err.Error(), "dockerfile parse error") || strings.Contains(err.Error(), "failed to process"))) ||
			(errors.Is(err, multistage.ErrInvalidValue) && strings.Contains(err.Error(), `onbuild instruction "`) && strings.Contains(err.Error(), "is no instruction of the API"))
	}},
	{"an ADD --checksum from a variable on a local source, which BuildKit accepts only while the variable is empty and the builder refuses", func(err error) bool {
		return errors.Is(err, multistage.ErrInvalidValue) && strings.Contains(err.Error(), "Checksum applies to the one source of AddURL or AddGit")
	}},
	{"an ENV key that refers to a variable (ENV $A=1), for which the builder has no call", func(err error) bool {
		return unsupportedBecause(`env key "`)(err) && unsupportedBecause("refers to a variable")(err)
	}},
	{"a FROM --platform that refers to a variable no ARG before the first stage declares (empty to BuildKit), which the builder refuses as a mistake", func(err error) bool {
		return errors.Is(err, multistage.ErrInvalidValue) && strings.Contains(err.Error(), "which FROM --platform could use")
	}},
	{"an ARG name starting with \"--\" after another name (ARG A --x), which the builder, declaring one name per ARG line, cannot write", func(err error) bool {
		return errors.Is(err, multistage.ErrInvalidValue) && strings.Contains(err.Error(), `arg name "--`) && strings.Contains(err.Error(), `starts with "--"`)
	}},
	{"a value to expand with quotes that is not one shell word (WORKDIR $A\"\" b), which the renderer writes only as one", func(err error) bool {
		return errors.Is(err, multistage.ErrUnsafeValue) && strings.Contains(err.Error(), "is not a single complete shell word")
	}},
	{"an empty --exclude pattern, which excludes nothing and the builder refuses", func(err error) bool {
		return errors.Is(err, multistage.ErrInvalidValue) && strings.Contains(err.Error(), `exclude pattern "": is empty`)
	}},
	{"a path to expand of a COPY of heredocs with characters other than those of paths and variables, which the builder refuses", func(err error) bool {
		return errors.Is(err, multistage.ErrUnsafeValue) && strings.Contains(err.Error(), "of a copy with content to expand may only hold")
	}},
	{"a RUN command holding '<<' that BuildKit does not read as a heredoc (RUN <<), which Run writes as a heredoc", func(err error) bool {
		var ue *multistage.UnsupportedError
		return errors.As(err, &ue) && strings.Contains(ue.Reason, "<<") && strings.Contains(ue.Reason, "cannot be written on a RUN line by the renderer")
	}},
	{"a RUN command with a carriage return inside its line (RUN a\\rb), which the builder refuses in scripts since BuildKit's parser drops one at the end of a line", func(err error) bool {
		var ue *multistage.UnsupportedError
		return errors.As(err, &ue) && strings.Contains(ue.Reason, "cannot be written on a RUN line by the renderer") && strings.Contains(ue.Reason, `\r`)
	}},
	{"an absolute mount target that is the root file system spelled other than \"/\" (/., //), which BuildKit compares uncleaned (convert_runmount.go) and the builder refuses", func(err error) bool {
		return errors.Is(err, multistage.ErrInvalidValue) && strings.Contains(err.Error(), `mount target "/`) && strings.Contains(err.Error(), "is the root file system")
	}},
	{"a RUN command ending in '\\' under \"# escape=`\", which the renderer, writing '\\' as the escape character, cannot end a RUN line with", func(err error) bool {
		var ue *multistage.UnsupportedError
		return errors.As(err, &ue) && strings.Contains(ue.Reason, `\\" cannot be written on a RUN line by the renderer`)
	}},
	{"an empty LABEL key (LABEL \"\"=), which the builder refuses", func(err error) bool {
		return errors.Is(err, multistage.ErrInvalidValue) && strings.Contains(err.Error(), `label key "": is empty`)
	}},
	{"a --chmod to expand with other characters than those of modes and variable references (--chmod=${!}), which the renderer cannot write", func(err error) bool {
		return errors.Is(err, multistage.ErrUnsafeValue) && strings.Contains(err.Error(), `chmod "`) && strings.Contains(err.Error(), "and variable references")
	}},
	{"an image to expand with '\\' after rewriting the escapes of \"# escape=`\" (FROM \"\"${A}`0), which the builder refuses in image references", func(err error) bool {
		msg := err.Error()
		return errors.Is(err, multistage.ErrUnsafeValue) && strings.Contains(msg, `image "`) && strings.Contains(msg, `\\`) &&
			strings.Contains(msg, "may only contain printable ASCII without white space, '\\', ',' or '='")
	}},
	{"an ONBUILD trigger that BuildKit refuses in a build FROM the image (checked by converting it there), which the builder refuses", triggerBuildKitRefuses},
	{"a RUN --device with no name (--device=required), which BuildKit converts to a device no build can find", unsupportedBecause("RUN --device without a device name")},
	{"a secret mount whose env= is no variable name (env=, env=00), which the builder refuses", func(err error) bool {
		return unsupportedBecause("secret mount with an empty env=")(err) ||
			(errors.Is(err, multistage.ErrInvalidValue) && strings.Contains(err.Error(), `secret env "`) && strings.Contains(err.Error(), "must match"))
	}},
	{"an ssh mount with source= or from=, for which SSHMount has no field", unsupportedBecause("ssh mount with source or from")},
	{"an ONBUILD ARG with several names (ONBUILD ARG A B), which OnBuild, taking one instruction of the API, refuses", func(err error) bool {
		return errors.Is(err, multistage.ErrInvalidValue) && onBuildArg.MatchString(err.Error()) && strings.Contains(err.Error(), "is not one instruction of the API")
	}},
	{"an ONBUILD trigger that copies from the stage that runs it (a stage FROM the trigger's stage, named in its --from), which the builder refuses as a cycle", func(err error) bool {
		m := selfCycle.FindStringSubmatch(err.Error())
		return m != nil && m[1] == m[2]
	}},
	{"a COPY or ADD path to expand that starts with '<<' after digits (00<<<00), which the builder refuses since BuildKit may read such a word as a heredoc", func(err error) bool {
		return errors.Is(err, multistage.ErrUnsafeValue) && strings.Contains(err.Error(), "would be read as a heredoc")
	}},
	{"an image to expand with ',', '=' or a control character in a variable's modifier (FROM a${V#,}), which the builder refuses in image references", func(err error) bool {
		m := imageInError.FindStringSubmatch(err.Error())
		return errors.Is(err, multistage.ErrUnsafeValue) && m != nil && strings.Contains(m[1], "${") && (strings.ContainsAny(m[1], ",=") || strings.Contains(m[1], `\x`))
	}},
	{"a COPY of two heredocs of one name (COPY <<EOF <<EOF dir), which the builder refuses", func(err error) bool {
		return errors.Is(err, multistage.ErrInvalidValue) && strings.Contains(err.Error(), "heredoc name") && strings.Contains(err.Error(), "is used twice")
	}},
	{"a COPY heredoc name with other characters than letters, digits, '_', '.' and '-' (<<\"!x\"), which the builder refuses", func(err error) bool {
		return unsupportedBecause("heredoc name")(err) && unsupportedBecause("only letters, digits")(err)
	}},
	{"a tmpfs mount with options other than size (rw=, ro), for which TmpfsMount has no field", unsupportedBecause("tmpfs mount options other than size have no API")},
	{"an empty USER (USER \"\"), which the builder refuses", func(err error) bool {
		return errors.Is(err, multistage.ErrInvalidValue) && strings.Contains(err.Error(), `user "": is empty`)
	}},
	{"a quoted heredoc with '$' or '\\' in a COPY or ADD whose other words refer to variables, which one Expand option cannot carry", unsupportedBecause("a quoted heredoc with '$' or '\\' in a")},
	{"a FROM --platform to expand with characters no flag value holds, as in a variable's modifier (${BUILDPLATFORM#,}), which the builder refuses", func(err error) bool {
		return errors.Is(err, multistage.ErrInvalidValue) && strings.Contains(err.Error(), `platform "`) && strings.Contains(err.Error(), "is not a flag value")
	}},
	{"a mount type from a variable", unsupportedBecause("variable in its type")},
	{"a Windows path with '\\' in a flag or a heredoc COPY path (escape=`)", func(err error) bool {
		return errors.Is(err, multistage.ErrUnsafeValue) && strings.Contains(err.Error(), `:\\`)
	}},
	{"a flag value (--mount, --exclude, --chown, also in an ONBUILD trigger) outside printable ASCII or with white space, a quote or '\\', which the builder refuses in flag values", func(err error) bool {
		return (errors.Is(err, multistage.ErrUnsafeValue) || strings.Contains(err.Error(), "onbuild instruction")) && strings.Contains(err.Error(), "may only contain printable ASCII without white space, quotes")
	}},
}

// triggerText finds the text of an ONBUILD trigger in a refusal of it.
var triggerText = regexp.MustCompile(`(?:trigger|onbuild instruction) ("(?:[^"\\]|\\.)*")`)

// triggerBuildKitRefuses reports whether err refuses an ONBUILD trigger
// that BuildKit's frontend refuses too, in a build FROM the image.
func triggerBuildKitRefuses(err error) bool {
	if !errors.Is(err, multistage.ErrUnsupported) && !errors.Is(err, multistage.ErrInvalidValue) && !errors.Is(err, multistage.ErrUnsafeValue) {
		return false
	}
	m := triggerText.FindStringSubmatch(err.Error())
	if m == nil {
		return false
	}
	trigger, uerr := strconv.Unquote(m[1])
	if uerr != nil {
		return false
	}
	_, _, ferr := frontend(context.Background(), []byte("FROM busybox\n"+trigger+"\n"), "", testresolver.New())
	return ferr != nil
}

// imageInError finds the image of a refused image reference.
var imageInError = regexp.MustCompile(`image "((?:[^"\\]|\\.)*)": may only contain`)

// onBuildArg finds a refused ONBUILD ARG trigger, in any letter case and
// with any white space after ARG.
var onBuildArg = regexp.MustCompile(`onbuild instruction "(?i:arg)(?: |\\[tvfr])`)

// selfCycle finds a stage that depends on itself in a cycle error.
var selfCycle = regexp.MustCompile(`dependency cycle between stages: (\S+) -> (\S+)$`)

// usesLeftOutLine finds, in the error of a stage left out for a stage it
// uses, the line of that stage.
var usesLeftOutLine = regexp.MustCompile(`\(line (\d+)\), which is left out`)

// allowedRefusal returns the name of the allowed refusal err is, or "".
func allowedRefusal(err error) string {
	for _, r := range allowedRefusals {
		if r.match(err) {
			return r.name
		}
	}
	return ""
}

// frontend is crosscheck.Frontend that takes a panic of BuildKit's
// frontend for a refusal: this fuzz target tests the import, not BuildKit.
func frontend(ctx context.Context, df []byte, target string, r *testresolver.Resolver) (def *llb.Definition, img *dockerspec.DockerOCIImage, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("dockerfile2llb panics: %v", p)
		}
	}()
	return crosscheck.Frontend(ctx, df, target, crosscheck.Options{Resolver: r})
}

// FuzzImportDifferential is the differential test of the import against
// BuildKit: ParseDockerfile never panics, and for every target of a
// Dockerfile that BuildKit's parser and dockerfile2llb accept, the
// imported build (keeping going past stages it cannot import) compiles op
// for op to the same LLB and image config, or is refused with one of the
// allowedRefusals, by name. The seeds are the corpus files, the
// Dockerfiles of BuildKit's frontend tests, and testdata/fuzz/FuzzImportDifferential.
func FuzzImportDifferential(f *testing.F) {
	addCorpusSeeds(f)
	for _, df := range buildkitDockerfiles(f) {
		f.Add(df.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 8<<10 {
			return
		}
		ctx := context.Background()
		selected := map[string]*multistage.Stage{}
		skipped := map[string]error{}
		var skippedErrs []error // in the order of the Dockerfile; names may repeat
		skippedIndex := map[int]error{}
		skippedAtLine := map[int]error{} // by the line of the stage's FROM
		b, err := multistage.ParseDockerfile(data,
			multistage.ParseTargets(func(target string, s *multistage.Stage) { selected[target] = s }),
			multistage.ParseKeepGoing(func(s multistage.SkippedStage) {
				if s.Name != "" {
					skipped[s.Name] = s.Err
				}
				skippedIndex[s.Index] = s.Err
				skippedAtLine[s.Line] = s.Err
				skippedErrs = append(skippedErrs, s.Err)
			}))
		targets, ok := stageTargets(data)
		if !ok {
			if err == nil {
				t.Fatalf("ParseDockerfile accepts what BuildKit's parser refuses:\n%s", data)
			}
			return
		}
		if len(targets) > 4 {
			targets = targets[:4]
		}
		for _, target := range targets {
			s, imported := selected[target]
			var compiled *multistage.Compiled
			var cerr error
			r := testresolver.New()
			if imported {
				opts := []multistage.Option{multistage.WithMetaResolver(r)}
				if target != "" {
					opts = append(opts, multistage.Target(s))
				}
				compiled, cerr = b.Compile(ctx, opts...)
				if errors.Is(cerr, multistage.ErrExpansionLimit) {
					continue // BuildKit would expand it all, without limits
				}
			} else if bytes.Count(data, []byte("$")) > 32 {
				continue // BuildKit might expand without limits what was not imported
			}
			def, img, ferr := frontend(ctx, data, target, r)
			if ferr != nil {
				continue // BuildKit refuses the target
			}
			if !imported {
				why := skipped[target] // the target's own stage, when it is left out
				if target == "" {
					why = skippedIndex[len(buildkitStages(data))-1] // the last stage
				}
				if why == nil {
					why = err
				}
				if why == nil && target == "" {
					for _, e := range skipped {
						why = e
					}
				}
				leftOutForOther := func(err error) bool {
					return errors.Is(err, multistage.ErrUnsupported) && strings.Contains(err.Error(), "which is left out")
				}
				// Left out for a stage it uses: follow the stages it
				// uses to the one left out for a reason of its own.
				for range len(skippedAtLine) {
					m := usesLeftOutLine.FindStringSubmatch(fmt.Sprint(why))
					if m == nil || !leftOutForOther(why) {
						break
					}
					n, _ := strconv.Atoi(m[1])
					if skippedAtLine[n] == nil {
						break
					}
					why = skippedAtLine[n]
				}
				if leftOutForOther(why) {
					// Else the first stage left out for a reason of its
					// own says why.
					for _, e := range skippedErrs {
						if !leftOutForOther(e) {
							why = e
							break
						}
					}
				}
				if allowedRefusal(why) == "" {
					t.Fatalf("target %q: BuildKit converts it, the import refuses it: %v\n%s", target, why, data)
				}
				continue
			}
			if cerr != nil {
				if allowedRefusal(cerr) == "" {
					t.Fatalf("target %q: BuildKit converts it, Compile of the import refuses it: %v\n%s", target, cerr, data)
				}
				continue
			}
			diff, err := compareImport(def, img, compiled)
			if err != nil {
				t.Fatalf("target %q: compare: %v", target, err)
			}
			if diff != "" {
				t.Fatalf("target %q: the import compiles to other LLB than BuildKit:\n%s\n%s", target, diff, data)
			}
		}
	})
}

// addCorpusSeeds adds the files of testdata/dockerfiles to f's seeds.
func addCorpusSeeds(f *testing.F) {
	paths, _ := filepath.Glob("testdata/dockerfiles/*.Dockerfile")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}
