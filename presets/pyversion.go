package presets

import (
	"slices"
	"strconv"
	"strings"
)

// pythonVersions are the Python versions Detect chooses from for a version
// range, newest first: the ones with python:<version>-slim images that
// are still supported.
var pythonVersions = []string{"3.14", "3.13", "3.12", "3.11", "3.10", "3.9"}

// newestPython returns the newest of pythonVersions that the version
// specifier spec allows: a PEP 440 specifier (">=3.10,<3.13", "~=3.11",
// "==3.12.*") or a Poetry constraint ("^3.10", "~3.11", "3.11.*",
// ">=3.9 || ^3.12"). A series is allowed when one of its releases
// satisfies every clause. ok is false when spec cannot be read or allows
// none of them.
func newestPython(spec string) (v string, ok bool) {
	for _, minor := range pythonVersions {
		allowed, valid := pythonAllows(spec, minor)
		if !valid {
			return "", false
		}
		if allowed {
			return minor, true
		}
	}
	return "", false
}

// pythonAllows says whether some release of the series minor ("3.12")
// satisfies spec, and whether spec could be read.
func pythonAllows(spec, minor string) (allowed, valid bool) {
	series, _ := parseVersion(minor)
	for _, alt := range strings.Split(spec, "||") {
		clauses := strings.FieldsFunc(alt, func(r rune) bool { return r == ',' })
		if len(clauses) == 0 {
			return false, false
		}
		for patch := 0; patch <= 30; patch++ {
			v := []int{series[0], series[1], patch}
			all := true
			for _, c := range clauses {
				ok, valid := versionClause(strings.TrimSpace(c), v)
				if !valid {
					return false, false
				}
				all = all && ok
			}
			if all {
				return true, true
			}
		}
	}
	return false, true
}

// versionClause evaluates one clause of a specifier for version v.
func versionClause(c string, v []int) (ok, valid bool) {
	if c == "*" || c == "" {
		return true, true
	}
	op := ""
	for _, o := range []string{"===", "~=", "==", "!=", ">=", "<=", ">", "<", "^", "~"} {
		if strings.HasPrefix(c, o) {
			op, c = o, strings.TrimSpace(c[len(o):])
			break
		}
	}
	wild := strings.HasSuffix(c, ".*")
	w, good := parseVersion(strings.TrimSuffix(c, ".*"))
	if !good {
		return false, false
	}
	cmp := compareVersions(v, w)
	prefix := slices.Equal(v[:min(len(w), len(v))], w[:min(len(w), len(v))])
	switch op {
	case "", "==", "===":
		if wild || op == "" && len(w) < 3 {
			return prefix, true
		}
		return cmp == 0, true
	case "!=":
		if wild {
			return !prefix, true
		}
		return cmp != 0, true
	case ">=":
		return cmp >= 0, true
	case ">":
		return cmp > 0, true
	case "<=":
		return cmp <= 0, true
	case "<":
		return cmp < 0, true
	case "~=":
		if len(w) < 2 {
			return false, false
		}
		return cmp >= 0 && slices.Equal(v[:len(w)-1], w[:len(w)-1]), true
	case "^":
		return cmp >= 0 && v[0] == w[0], true
	case "~":
		if len(w) == 1 {
			return cmp >= 0 && v[0] == w[0], true
		}
		return cmp >= 0 && v[0] == w[0] && v[1] == w[1], true
	}
	return false, false
}

// parseVersion reads "3", "3.11" or "3.11.4" (a pre-release suffix of the
// last part is dropped).
func parseVersion(s string) ([]int, bool) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) == 0 || len(parts) > 4 {
		return nil, false
	}
	var out []int
	for _, p := range parts {
		end := 0
		for end < len(p) && p[end] >= '0' && p[end] <= '9' {
			end++
		}
		n, err := strconv.Atoi(p[:end])
		if err != nil {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// compareVersions compares two versions, missing parts being 0.
func compareVersions(a, b []int) int {
	for i := range max(len(a), len(b)) {
		x, y := 0, 0
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}
