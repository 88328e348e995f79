package presets

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// newestNodeMajor is the newest major version of Node.js that has node
// images, the one an open range ("*", ">=18") gets.
const newestNodeMajor = 26

// oldestNodeMajor is the oldest major version Detect chooses from a range.
const oldestNodeMajor = 4

// ltsCodenames maps the codenames of Node.js's long-term support lines,
// as .nvmrc writes them ("lts/iron"), to their major version.
var ltsCodenames = map[string]int{
	"argon": 4, "boron": 6, "carbon": 8, "dubnium": 10, "erbium": 12, "fermium": 14,
	"gallium": 16, "hydrogen": 18, "iron": 20, "jod": 22, "krypton": 24,
}

// nodeVersionFrom returns the major version of Node.js, as an image tag,
// that a version file or field asks for, and how it was read: an exact
// version ("v20.11.1", "20") gives its major; an LTS codename
// ("lts/iron") its line; "lts/*", "node", "latest", "current" and
// "stable" the newest line; a semver range (engines.node: ">=18 <23",
// "^20.9.0", "18 || 20") the newest major it allows, preferring the
// even-numbered (long-term support) lines, which have images for longest.
// It returns "" when the value means none of these.
func nodeVersionFrom(v string) (version, how string) {
	v = strings.TrimSpace(v)
	lower := strings.ToLower(v)
	switch {
	case v == "":
		return "", ""
	case lower == "node" || lower == "latest" || lower == "current" || lower == "stable" || lower == "lts/*" || lower == "lts":
		return itoa(newestNodeMajor), "the newest line"
	case strings.HasPrefix(lower, "lts/"):
		if m, ok := ltsCodenames[strings.TrimPrefix(lower, "lts/")]; ok {
			return itoa(m), "the LTS line " + strings.TrimPrefix(lower, "lts/")
		}
		return "", ""
	}
	if m := exactNodeVersion.FindStringSubmatch(v); m != nil {
		return strings.TrimLeft(m[1], "0"), ""
	}
	r, err := parseSemverRange(v)
	if err != nil {
		return "", ""
	}
	odd := 0
	for major := newestNodeMajor; major >= oldestNodeMajor; major-- {
		switch {
		case !r.allowsMajor(major):
		case major%2 == 0:
			return itoa(major), "the newest long-term support line the range allows"
		case odd == 0:
			odd = major
		}
	}
	if odd == 0 {
		return "", ""
	}
	return itoa(odd), "the newest line the range allows"
}

// exactNodeVersion is a version with no range operator: "20", "v20.11",
// "20.11.1".
var exactNodeVersion = regexp.MustCompile(`^v?(\d+)(?:\.\d+){0,2}$`)

// semverRange is a node-semver range: a union of intersections of
// comparators.
type semverRange [][]comparator

// comparator is one bound: op is one of < <= > >= =.
type comparator struct {
	op string
	v  [3]int
}

// parseSemverRange parses the node-semver ranges package.json uses:
// comparators (>=18.0.0, <21), caret and tilde ranges (^20.9, ~18.17.0),
// x-ranges (20.x, 18.*, *), hyphen ranges (18 - 20) and unions (||).
func parseSemverRange(s string) (semverRange, error) {
	var r semverRange
	for _, alt := range strings.Split(s, "||") {
		alt = strings.TrimSpace(alt)
		// "18 - 20" is ">=18 <=20" with the upper bound an x-range.
		if lo, hi, ok := strings.Cut(alt, " - "); ok {
			l, err := partial(strings.TrimSpace(lo))
			if err != nil {
				return nil, err
			}
			h, err := partial(strings.TrimSpace(hi))
			if err != nil {
				return nil, err
			}
			set := []comparator{{">=", l.floor()}}
			set = append(set, h.upper(true)...)
			r = append(r, set)
			continue
		}
		// Operators may be separated from their versions: ">= 18".
		fields := strings.Fields(alt)
		var words []string
		for i := 0; i < len(fields); i++ {
			f := fields[i]
			if strings.Trim(f, "<>=~^") == "" && i+1 < len(fields) {
				f += fields[i+1]
				i++
			}
			words = append(words, f)
		}
		set := []comparator{}
		for _, w := range words {
			cs, err := parseComparator(w)
			if err != nil {
				return nil, err
			}
			set = append(set, cs...)
		}
		r = append(r, set)
	}
	return r, nil
}

// partialVersion is a version that may leave out its minor and patch
// numbers or write them as x.
type partialVersion struct {
	v [3]int
	n int // how many numbers are given
}

func partial(s string) (partialVersion, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "v"), "=")
	if s == "" || s == "*" || s == "x" || s == "X" {
		return partialVersion{}, nil
	}
	// Prerelease and build suffixes do not change the major.
	if i := strings.IndexAny(s, "-+"); i > 0 {
		s = s[:i]
	}
	var p partialVersion
	for i, part := range strings.Split(s, ".") {
		if i > 2 {
			return p, fmt.Errorf("version %q", s)
		}
		if part == "x" || part == "X" || part == "*" {
			break
		}
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return p, fmt.Errorf("version %q", s)
		}
		p.v[i] = n
		p.n = i + 1
	}
	return p, nil
}

// floor is the lowest version the partial version matches.
func (p partialVersion) floor() [3]int { return p.v }

// upper is the upper bound of the versions the partial version matches:
// "20" allows everything below 21.0.0; with inclusive, an exact version
// is its own bound.
func (p partialVersion) upper(inclusive bool) []comparator {
	switch p.n {
	case 0:
		return nil
	case 1:
		return []comparator{{"<", [3]int{p.v[0] + 1}}}
	case 2:
		return []comparator{{"<", [3]int{p.v[0], p.v[1] + 1}}}
	}
	if inclusive {
		return []comparator{{"<=", p.v}}
	}
	return []comparator{{"<", p.v}}
}

func parseComparator(w string) ([]comparator, error) {
	op := w[:len(w)-len(strings.TrimLeft(w, "<>=~^"))]
	p, err := partial(w[len(op):])
	if err != nil {
		return nil, err
	}
	switch op {
	case "", "=":
		return append([]comparator{{">=", p.floor()}}, p.upper(true)...), nil
	case ">=":
		return []comparator{{">=", p.floor()}}, nil
	case ">":
		if p.n < 3 {
			// ">20" is ">=21.0.0".
			return []comparator{{">=", p.upper(false)[0].v}}, nil
		}
		return []comparator{{">", p.v}}, nil
	case "<":
		return []comparator{{"<", p.floor()}}, nil
	case "<=":
		return p.upper(true), nil
	case "~", "~>":
		if p.n <= 1 {
			return append([]comparator{{">=", p.floor()}}, p.upper(false)...), nil
		}
		return []comparator{{">=", p.floor()}, {"<", [3]int{p.v[0], p.v[1] + 1}}}, nil
	case "^":
		switch {
		case p.v[0] > 0 || p.n <= 1:
			return []comparator{{">=", p.floor()}, {"<", [3]int{p.v[0] + 1}}}, nil
		case p.v[1] > 0 || p.n == 2:
			return []comparator{{">=", p.floor()}, {"<", [3]int{0, p.v[1] + 1}}}, nil
		}
		return []comparator{{">=", p.floor()}, {"<", [3]int{0, 0, p.v[2] + 1}}}, nil
	}
	return nil, fmt.Errorf("operator %q", op)
}

// allowsMajor reports whether some version major.x.y is in the range.
func (r semverRange) allowsMajor(major int) bool {
	for _, set := range r {
		// The versions of the major form [major.0.0, major+1.0.0); the
		// set allows one when the intersection of its bounds with that
		// interval is not empty.
		lo, loIncl := [3]int{major}, true
		hi, hiIncl := [3]int{major + 1}, false
		for _, c := range set {
			switch c.op {
			case ">=", ">":
				if cmp3(c.v, lo) > 0 || cmp3(c.v, lo) == 0 && c.op == ">" {
					lo, loIncl = c.v, c.op == ">="
				}
			case "<", "<=":
				if cmp3(c.v, hi) < 0 || cmp3(c.v, hi) == 0 && c.op == "<" {
					hi, hiIncl = c.v, c.op == "<="
				}
			}
		}
		if d := cmp3(lo, hi); d < 0 || d == 0 && loIncl && hiIncl {
			return true
		}
	}
	return false
}

func cmp3(a, b [3]int) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}
