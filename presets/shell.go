package presets

import (
	"path"
	"strconv"
	"strings"

	"github.com/multistage/multistage"
)

// NonRootUser is the numeric user and group the runtime stages of the
// presets run as when the base image has no unprivileged user of its own:
// 65532, the "nonroot" user of the distroless images. A numeric user needs
// no entry in /etc/passwd, works with any base image (even scratch), and
// lets Kubernetes verify runAsNonRoot, which it cannot do for a user name.
const NonRootUser = "65532:65532"

// shellQuote quotes s for /bin/sh when it contains anything but the
// characters that never need quoting.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_@%+=:,./-", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellJoin writes a command line: words are written as they are (they
// are the preset's own, and may use $VARS), args are quoted.
func shellJoin(words string, args []string) string {
	var b strings.Builder
	b.WriteString(words)
	for _, a := range args {
		b.WriteByte(' ')
		b.WriteString(shellQuote(a))
	}
	return b.String()
}

// port returns p, or def when p is 0; a negative p means no port (0).
func port(p, def int) int {
	switch {
	case p == 0:
		return def
	case p < 0:
		return 0
	}
	return p
}

// or returns v, or def when v is empty.
func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// orArgs returns v, or def when v is empty.
func orArgs(v, def []string) []string {
	if len(v) == 0 {
		return def
	}
	return v
}

// expose appends EXPOSE p to s when p is a port.
func expose(s *multistage.Stage, p int) {
	if p > 0 {
		s.Expose(p)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// copyFileInPlace copies the context file p to the same path under the
// working directory, as COPY --parents does: "requirements/prod.txt" must
// not land in the root. A name without a directory needs no --parents, and
// keeps the Dockerfile plain.
func copyFileInPlace(s *multistage.Stage, p string) {
	p = strings.TrimPrefix(path.Clean(p), "./")
	if strings.Contains(p, "/") {
		s.Copy(p, "./", multistage.Parents())
		return
	}
	s.Copy(p, "./")
}

// copyInPlace is copyFileInPlace for a path that may also be a directory
// or a pattern: "packages/api/package.json" must not land on the root
// package.json, nor ".yarn/releases" spill into the root. A directory at
// the root keeps its name too (COPY .yarn ./ would spill its contents);
// what a pattern at the root matches lands at the root.
func copyInPlace(s *multistage.Stage, p string) {
	p = strings.TrimPrefix(path.Clean(p), "./")
	if !strings.Contains(p, "/") && !strings.ContainsAny(p, "*?[") {
		s.Copy(p, "./"+p)
		return
	}
	copyFileInPlace(s, p)
}
