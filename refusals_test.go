package multistage_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/crosscheck"
	"github.com/multistage/multistage/internal/testresolver"
)

// TestRefusals checks that the calls of ADD, heredoc sources, shell-form
// CMD and ENTRYPOINT, MAINTAINER, ONBUILD, RunHeredoc and the Expand
// variants refuse what they cannot render or compile, with the sentinel
// error and the instruction named, and that Validate, Dockerfile and
// Compile all report it.
func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		reason      string
		f           func(s *multistage.Stage)
		want        error
		instruction string
	}{
		{"Add of a URL", func(s *multistage.Stage) { s.Add("https://example.com/a.tgz", "/a") }, multistage.ErrInvalidValue, "ADD"},
		{"Add of a git repository", func(s *multistage.Stage) { s.Add("https://github.com/a/b.git", "/b") }, multistage.ErrInvalidValue, "ADD"},
		{"AddURL of a local path", func(s *multistage.Stage) { s.AddURL("a.tgz", "/a") }, multistage.ErrInvalidValue, "ADD"},
		{"AddGit of a URL", func(s *multistage.Stage) { s.AddGit("https://example.com/a.tgz", "/a") }, multistage.ErrInvalidValue, "ADD"},
		{"Link with an owner BuildKit reads as a group name (1:2:3)", func(s *multistage.Stage) {
			s.Copy("a", "/b", multistage.Link(), multistage.Chown("1:2:3"))
		}, multistage.ErrInvalidValue, "COPY"},
		{"Copy of a URL", func(s *multistage.Stage) { s.Copy("https://example.com/a.tgz", "/a") }, multistage.ErrInvalidValue, "COPY"},
		{"Copy of what BuildKit reads as a git repository", func(s *multistage.Stage) { s.Copy("0@0:", "/a") }, multistage.ErrInvalidValue, "COPY"},
		{"CopyFrom with a git repository among more sources", func(s *multistage.Stage) {
			s.CopyFromImage("busybox", "/bin/busybox", "/b/", multistage.MoreSources("git@github.com:a/b.git"))
		}, multistage.ErrInvalidValue, "COPY"},
		{"KeepGitDir against the URL's keep-git-dir=false", func(s *multistage.Stage) {
			s.AddGit("https://github.com/a/b.git?keep-git-dir=false", "/src", multistage.KeepGitDir())
		}, multistage.ErrInvalidValue, "ADD"},
		{"Checksum against the URL's checksum", func(s *multistage.Stage) {
			s.AddGit("https://github.com/a/b.git?checksum=aaaaaaa", "/src", multistage.Checksum("bbbbbbb"))
		}, multistage.ErrInvalidValue, "ADD"},
		{"two repositories with different keep-git-dir", func(s *multistage.Stage) {
			s.AddGit("https://github.com/a/b.git?keep-git-dir=true", "/src/", multistage.MoreSources("https://github.com/a/c.git?keep-git-dir=false"))
		}, multistage.ErrInvalidValue, "ADD"},
		{"AddURL whose first source is a local path", func(s *multistage.Stage) {
			s.AddURL("b.tgz", "/d/", multistage.MoreSources("https://example.com/a.tgz"))
		}, multistage.ErrInvalidValue, "ADD"},
		{"KeepGitDir without a git source", func(s *multistage.Stage) {
			s.AddURL("https://example.com/a.tgz", "/d/", multistage.MoreSources("b.tgz"), multistage.KeepGitDir())
		}, multistage.ErrInvalidValue, "ADD"},
		{"Checksum of a local path", func(s *multistage.Stage) { s.Add("a.tgz", "/a", multistage.Checksum("sha256:00")) }, multistage.ErrInvalidValue, "ADD"},
		{"Checksum that is no digest", func(s *multistage.Stage) {
			s.AddURL("https://example.com/a", "/a", multistage.Checksum("md5:abc"))
		}, multistage.ErrInvalidValue, "ADD"},
		{"Checksum of git that is no commit id", func(s *multistage.Stage) {
			s.AddGit("https://github.com/a/b.git", "/b", multistage.Checksum("v1.0"))
		}, multistage.ErrInvalidValue, "ADD"},
		{"Checksum with a $", func(s *multistage.Stage) {
			s.AddGit("https://github.com/a/b.git", "/b", multistage.Checksum("$SUM"))
		}, multistage.ErrUnsafeValue, "ADD"},
		{"KeepGitDir of a URL", func(s *multistage.Stage) { s.AddURL("https://example.com/a", "/a", multistage.KeepGitDir()) }, multistage.ErrInvalidValue, "ADD"},
		{"Unpack of a git repository", func(s *multistage.Stage) { s.AddGit("https://github.com/a/b.git", "/b", multistage.Unpack(true)) }, multistage.ErrInvalidValue, "ADD"},
		{"Parents on ADD", func(s *multistage.Stage) { s.Add("a/./b", "/d/", multistage.Parents()) }, multistage.ErrInvalidValue, "ADD"},
		{"MountOptionExpand of an option the mount type has not", func(s *multistage.Stage) {
			s.Run("true", multistage.CacheMount("/c", multistage.MountOptionExpand("size", "${SIZE}")))
		}, multistage.ErrInvalidValue, "RUN"},
		{"MountOptionExpand of an unknown option", func(s *multistage.Stage) {
			s.Run("true", multistage.CacheMount("/c", multistage.MountOptionExpand("owner", "${UID}")))
		}, multistage.ErrInvalidValue, "RUN"},
		{"MountOptionExpand with a ',' (a new --mount field)", func(s *multistage.Stage) {
			s.Run("true", multistage.CacheMount("/c", multistage.MountOptionExpand("uid", "${UID},readonly")))
		}, multistage.ErrUnsafeValue, "RUN"},
		{"MountOptionExpand with an unclosed ${", func(s *multistage.Stage) {
			s.Run("true", multistage.CacheMount("/c", multistage.MountOptionExpand("uid", "${UID")))
		}, multistage.ErrInvalidValue, "RUN"},
		{"ExposeExpand with white space", func(s *multistage.Stage) { s.ExposeExpand("${A} ${B}") }, multistage.ErrUnsafeValue, "EXPOSE"},
		{"ExposeExpand with an unclosed ${", func(s *multistage.Stage) { s.ExposeExpand("${PORT") }, multistage.ErrInvalidValue, "EXPOSE"},
		{"VolumeExpand with white space at an end", func(s *multistage.Stage) { s.VolumeExpand("/data/$X ") }, multistage.ErrUnsafeValue, "VOLUME"},
		{"StopSignalExpand of nothing", func(s *multistage.Stage) { s.StopSignalExpand(" ") }, multistage.ErrInvalidValue, "STOPSIGNAL"},
		{"Chown with a $ and no Expand", func(s *multistage.Stage) { s.Copy("a", "/a", multistage.Chown("$UID")) }, multistage.ErrUnsafeValue, "COPY"},
		{"Chown that is empty", func(s *multistage.Stage) { s.Copy("a", "/a", multistage.Chown("")) }, multistage.ErrInvalidValue, "COPY"},
		{"ChmodSymbolic with a $ and no Expand", func(s *multistage.Stage) { s.Copy("a", "/a", multistage.ChmodSymbolic("$MODE")) }, multistage.ErrInvalidValue, "COPY"},
		{"ChmodSymbolic template with a space", func(s *multistage.Stage) {
			s.Copy("a", "/a", multistage.ChmodSymbolic("$MODE x"), multistage.Expand())
		}, multistage.ErrUnsafeValue, "COPY"},
		{"LabelExpand key with an '='", func(s *multistage.Stage) { s.LabelExpand("${K}=x", "v") }, multistage.ErrUnsafeValue, "LABEL"},
		{"content without a final newline", func(s *multistage.Stage) { s.CopyContent("EOF", "x", "/x") }, multistage.ErrUnsafeValue, "COPY"},
		{"content with its delimiter as a line", func(s *multistage.Stage) { s.CopyContent("EOF", "a\nEOF\nb\n", "/x") }, multistage.ErrUnsafeValue, "COPY"},
		{"content with a carriage return", func(s *multistage.Stage) { s.CopyContent("EOF", "a\r\n", "/x") }, multistage.ErrUnsafeValue, "COPY"},
		{"heredoc name with a quote", func(s *multistage.Stage) { s.CopyContent(`E'OF`, "a\n", "/x") }, multistage.ErrInvalidValue, "COPY"},
		{"heredoc name starting with '-'", func(s *multistage.Stage) { s.CopyContent("-EOF", "a\n", "/x") }, multistage.ErrInvalidValue, "COPY"},
		{"two heredocs of one name", func(s *multistage.Stage) {
			s.CopyContent("a", "1\n", "/d/", multistage.MoreContent("a", "2\n"))
		}, multistage.ErrInvalidValue, "COPY"},
		{"content destination with a space", func(s *multistage.Stage) { s.CopyContent("EOF", "a\n", "/a b") }, multistage.ErrUnsafeValue, "COPY"},
		{"octal mode to ChmodSymbolic", func(s *multistage.Stage) { s.Copy("a", "/a", multistage.ChmodSymbolic("755")) }, multistage.ErrInvalidValue, "COPY"},
		{"bad symbolic mode", func(s *multistage.Stage) { s.Copy("a", "/a", multistage.ChmodSymbolic("u+q")) }, multistage.ErrInvalidValue, "COPY"},
		{"CmdShell that looks like JSON", func(s *multistage.Stage) { s.CmdShell(`["a"]`) }, multistage.ErrUnsafeValue, "CMD"},
		{"CmdShell on two lines", func(s *multistage.Stage) { s.CmdShell("a\nb") }, multistage.ErrUnsafeValue, "CMD"},
		{"EntrypointShell ending with '\\'", func(s *multistage.Stage) { s.EntrypointShell(`start \`) }, multistage.ErrUnsafeValue, "ENTRYPOINT"},
		{"EntrypointShell blank", func(s *multistage.Stage) { s.EntrypointShell(" ") }, multistage.ErrEmptyCommand, "ENTRYPOINT"},
		{"Maintainer empty", func(s *multistage.Stage) { s.Maintainer("") }, multistage.ErrInvalidValue, "MAINTAINER"},
		{"Maintainer with a trailing space", func(s *multistage.Stage) { s.Maintainer("me ") }, multistage.ErrUnsafeValue, "MAINTAINER"},
		{"OnBuild FROM", func(s *multistage.Stage) { s.OnBuild("FROM alpine") }, multistage.ErrInvalidValue, "ONBUILD"},
		{"OnBuild ONBUILD", func(s *multistage.Stage) { s.OnBuild("ONBUILD RUN true") }, multistage.ErrInvalidValue, "ONBUILD"},
		{"OnBuild MAINTAINER", func(s *multistage.Stage) { s.OnBuild("MAINTAINER me") }, multistage.ErrInvalidValue, "ONBUILD"},
		{"OnBuild of two lines", func(s *multistage.Stage) { s.OnBuild("RUN a\nRUN b") }, multistage.ErrUnsafeValue, "ONBUILD"},
		{"OnBuild of an unknown instruction", func(s *multistage.Stage) { s.OnBuild("FOO bar") }, multistage.ErrInvalidValue, "ONBUILD"},
		{"OnBuild copying from a stage index", func(s *multistage.Stage) { s.OnBuild("COPY --from=0 /a /a") }, multistage.ErrInvalidValue, "ONBUILD"},
		{"RunHeredoc without a here-document", func(s *multistage.Stage) { s.RunHeredoc("echo hi") }, multistage.ErrUnsafeValue, "RUN"},
		{"RunHeredoc unterminated", func(s *multistage.Stage) { s.RunHeredoc("cat <<EOF\nhi") }, multistage.ErrUnsafeValue, "RUN"},
		{"RunHeredoc with text after its delimiter", func(s *multistage.Stage) { s.RunHeredoc("cat <<EOF\nhi\nEOF\necho more") }, multistage.ErrUnsafeValue, "RUN"},
		{"mount id with a $ without MountExpand", func(s *multistage.Stage) {
			s.Run("make", multistage.CacheMount("/c", multistage.MountID("c-$ARCH")))
		}, multistage.ErrUnsafeValue, "RUN"},
		{"mount target with a quote with MountExpand", func(s *multistage.Stage) {
			s.Run("make", multistage.CacheMount(`/c/"$X"`, multistage.MountExpand()))
		}, multistage.ErrUnsafeValue, "RUN"},
		{"EnvExpandAll with an odd count", func(s *multistage.Stage) { s.EnvExpandAll("A", "1", "B") }, multistage.ErrInvalidValue, "ENV"},
		{"EnvExpandAll with a bad key", func(s *multistage.Stage) { s.EnvExpandAll("A B", "1") }, multistage.ErrInvalidValue, "ENV"},
		{"UserExpand with an open quote", func(s *multistage.Stage) { s.UserExpand(`"$U`) }, multistage.ErrUnsafeValue, "USER"},
		{"LabelExpand with a bad key", func(s *multistage.Stage) { s.LabelExpand(`a"b`, "$V") }, multistage.ErrUnsafeValue, "LABEL"},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			b := multistage.New()
			tc.f(b.Stage("s").From("alpine"))
			errs := map[string]error{"Validate": b.Validate()}
			_, errs["Dockerfile"] = b.Dockerfile()
			_, errs["Compile"] = b.Compile(t.Context())
			for call, err := range errs {
				if !errors.Is(err, tc.want) {
					t.Errorf("%s: got %v, want %v", call, err, tc.want)
					continue
				}
				var ie *multistage.InstructionError
				if !errors.As(err, &ie) || ie.Instruction != tc.instruction || ie.Stage != "s" {
					t.Errorf("%s: error does not name stage s, %s: %v", call, tc.instruction, err)
				}
			}
		})
	}
}

// TestAcceptedForms checks values at the edges that the new calls accept.
func TestAcceptedForms(t *testing.T) {
	b := multistage.New()
	b.Stage("s").From("alpine").
		CopyContent("empty", "", "/etc/empty").
		CopyContent("x.conf", "EOF\n$HOME 'q' \"d\" \\\n", "/etc/").
		Copy("a", "/a", multistage.ChmodSymbolic("a=rX,u+w")).
		Copy("b", "/b", multistage.ChmodSymbolic("a+Xu,go=u-w")). // BSD chmod's copies, which BuildKit reads
		CmdShell(`echo "<<EOF" $HOME`).
		Maintainer(`Jane "JD" Doe <jane@example.com> $X`).
		OnBuild("RUN echo $HOME").
		RunHeredoc("cat <<'A' <<B\n$x\nA\n$y\nB").
		EnvExpandAll("A", `"a b"`, "B", "$A").
		AddGit("https://github.com/a/b.git?keep-git-dir=true&checksum=aaaaaaa", "/g", multistage.KeepGitDir(), multistage.Checksum("aaaaaaa"))
	df, err := b.Dockerfile()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"COPY <<'empty' /etc/empty\nempty\n", "COPY <<'x.conf' /etc/\nEOF\n", "CMD echo \"<<EOF\" $HOME\n", "ONBUILD RUN echo $HOME\n"} {
		if !strings.Contains(string(df), want) {
			t.Errorf("Dockerfile lacks %q:\n%s", want, df)
		}
	}
	diff, _, err := crosscheck.Check(t.Context(), b, crosscheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Errorf("Compile and dockerfile2llb disagree:\n%s\n%s", df, diff)
	}
}

// TestChmodLastWins: of Chmod and ChmodSymbolic, the last one given sets
// the mode, and is checked as what it is.
func TestChmodLastWins(t *testing.T) {
	for _, opts := range [][]multistage.CopyOption{
		{multistage.ChmodSymbolic("u+x"), multistage.Chmod(0o755)},
		{multistage.Chmod(0o755), multistage.ChmodSymbolic("u+x")},
	} {
		b := multistage.New()
		b.Stage("s").From("alpine:3.20").Copy("a", "/a", opts...)
		if err := b.Validate(); err != nil {
			t.Errorf("Validate: %v", err)
		}
	}
}

// TestExpansionRefusals checks the values that only expanding variables
// shows invalid: Validate and Dockerfile cannot know them, BuildKit's
// frontend refuses them when it builds, and Compile must refuse them too,
// with ErrInvalidValue (or a more specific sentinel) and the instruction
// named.
func TestExpansionRefusals(t *testing.T) {
	for _, tc := range []struct {
		reason      string
		f           func(s *multistage.Stage)
		instruction string
	}{
		{"a symbolic mode that is none", func(s *multistage.Stage) {
			s.Arg("M", "u+q").Copy("a", "/b", multistage.ChmodSymbolic("${M}"), multistage.Expand())
		}, "COPY"},
		{"a port that is no number", func(s *multistage.Stage) { s.Arg("P", "abc").ExposeExpand("${P}") }, "EXPOSE"},
		{"an unknown signal", func(s *multistage.Stage) { s.Arg("S", "SIGFOO").StopSignalExpand("${S}") }, "STOPSIGNAL"},
		{"an empty volume", func(s *multistage.Stage) { s.Arg("V", "").VolumeExpand("${V}") }, "VOLUME"},
		{"a mount uid that is no number", func(s *multistage.Stage) {
			s.Arg("U", "abc").Run("true", multistage.CacheMount("/c", multistage.MountOptionExpand("uid", "${U}")))
		}, "RUN"},
		{"a COPY source that is a URL", func(s *multistage.Stage) {
			s.Arg("U", "https://example.com/a").Copy("${U}", "/x", multistage.Expand())
		}, "COPY"},
		{"a required variable that is empty", func(s *multistage.Stage) { s.Arg("U", "").EnvExpand("A", "${U:?required}") }, "ENV"},
		{"an owner name with --link", func(s *multistage.Stage) {
			s.Arg("U", "app").Copy("a", "/opt/", multistage.Link(), multistage.Chown("${U}"), multistage.Expand())
		}, "COPY"},
		{"a secret id that is empty", func(s *multistage.Stage) {
			s.Arg("U", "").Run("true", multistage.SecretMount("${U}", multistage.MountExpand()))
		}, "RUN"},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			b := multistage.New()
			tc.f(b.Stage("s").From("alpine:3.20"))
			if err := b.Validate(); err != nil {
				t.Fatalf("Validate: %v; the value is only known once expanded", err)
			}
			_, err := b.Compile(context.Background(), multistage.WithMetaResolver(testresolver.New()))
			var ie *multistage.InstructionError
			if !errors.Is(err, multistage.ErrInvalidValue) || !errors.As(err, &ie) || ie.Instruction != tc.instruction || ie.Stage != "s" {
				t.Fatalf("Compile: %v; want ErrInvalidValue in an InstructionError of stage s, %s", err, tc.instruction)
			}
			df, err := b.Dockerfile()
			if err != nil {
				t.Fatal(err)
			}
			if _, _, ferr := crosscheck.Frontend(context.Background(), df, "", crosscheck.Options{}); ferr == nil {
				t.Errorf("BuildKit's frontend accepts what Compile refuses:\n%s", df)
			}
		})
	}
}
