package lifecycle

import (
	"strings"
	"testing"
	"time"
)

// TestTable checks the table itself: every line once, in order, with a
// source, released before its end of life, and spelled as Find spells it.
func TestTable(t *testing.T) {
	seen := map[string]bool{}
	for i, l := range lines {
		if seen[l.String()] {
			t.Errorf("%s is in the table twice", l)
		}
		seen[l.String()] = true
		if l.Source == "" || !strings.HasPrefix(l.Source, "https://") {
			t.Errorf("%s: source %q", l, l.Source)
		}
		if !l.Released.Before(l.EOL) {
			t.Errorf("%s: released %s, not before its EOL %s", l, l.Released.Format(time.DateOnly), l.EOL.Format(time.DateOnly))
		}
		if k, ok := lineKey(l.Toolchain, l.Version); !ok || k != l.Version {
			t.Errorf("%s: Find spells the version %q (%v)", l, k, ok)
		}
		if i > 0 && lines[i-1].Toolchain == l.Toolchain && compareVersions(lines[i-1].Version, l.Version) >= 0 {
			t.Errorf("%s comes after %s", l, lines[i-1])
		}
	}
}

func TestFind(t *testing.T) {
	for _, c := range []struct {
		toolchain Toolchain
		version   string
		want      string // line version, "" for none
		older     bool
	}{
		{Go, "1.22", "1.22", false},
		{Go, "1.22.5", "1.22", false},
		{Go, "go1.27", "1.27", false},
		{Go, "1.16", "1.16", true},
		{Go, "1.99", "", false},
		{Go, "1", "", false},
		{Node, "20", "20", false},
		{Node, "v20.11.1", "20", false},
		{Node, "8", "8", true},
		{Node, "lts/iron", "", false},
		{Node, ">=20", "", false},
		{Python, "3.10", "3.10", false},
		{Python, "3.10.4", "3.10", false},
		{Python, "3.5", "3.5", true},
		{Python, "2.7", "", false},
		{DotNet, "8.0", "8.0", false},
		{DotNet, "net8.0", "8.0", false},
		{DotNet, "8.0.100", "8.0", false},
		{DotNet, "netcoreapp3.1", "3.1", false},
		{Java, "17", "17", false},
		{Java, "1.8", "8", false},
		{Java, "21.0.2", "21", false},
		{Java, "1.17", "", false},
	} {
		l, ok := Find(c.toolchain, c.version)
		if c.want == "" {
			if ok {
				t.Errorf("Find(%s, %q) = %s, want none", c.toolchain, c.version, l)
			}
			continue
		}
		if !ok || l.Version != c.want || l.Older != c.older {
			t.Errorf("Find(%s, %q) = %s (older %v, %v), want %s (older %v)", c.toolchain, c.version, l, l.Older, ok, c.want, c.older)
		}
	}
}

func TestForImage(t *testing.T) {
	for ref, want := range map[string]string{
		"node:20":                          "Node.js 20",
		"node:20-slim":                     "Node.js 20",
		"node:20.11.1-alpine3.19":          "Node.js 20",
		"docker.io/library/node:18":        "Node.js 18",
		"node:lts-slim":                    "",
		"node":                             "",
		"golang:1.22":                      "Go 1.22",
		"golang:1.22.5-alpine":             "Go 1.22",
		"golang:1":                         "",
		"golang:alpine":                    "",
		"python:3.10-slim":                 "Python 3.10",
		"python:3.12.1-slim-bookworm":      "Python 3.12",
		"python:3-slim":                    "",
		"mcr.microsoft.com/dotnet/sdk:8.0": ".NET 8.0",
		"mcr.microsoft.com/dotnet/aspnet:8.0-alpine":         ".NET 8.0",
		"mcr.microsoft.com/dotnet/runtime-deps:6.0.36-jammy": ".NET 6.0",
		"mcr.microsoft.com/dotnet/nightly/sdk:8.0":           "",
		"eclipse-temurin:17-jre":                             "Java 17",
		"eclipse-temurin:17.0.13_11-jdk":                     "Java 17",
		"eclipse-temurin:8u432-b06-jre":                      "Java 8",
		"eclipse-temurin:21":                                 "Java 21",
		"maven:3.9-eclipse-temurin-17":                       "Java 17",
		"maven:3.9.9-eclipse-temurin-21-alpine":              "Java 21",
		"maven:3.9-amazoncorretto-17":                        "",
		"node:20@sha256:" + strings.Repeat("a", 64):          "Node.js 20",
		"registry.example.com/node:20":                       "",
		"nginx:1.27":                                         "",
		"gcr.io/distroless/static-debian12":                  "",
		"not a reference":                                    "",
	} {
		l, ok := ForImage(ref)
		got := ""
		if ok {
			got = l.String()
		}
		if got != want {
			t.Errorf("ForImage(%q) = %q, want %q", ref, got, want)
		}
	}
}

func TestNewestAndWarning(t *testing.T) {
	now := day("2026-12-04")
	for _, c := range []struct {
		toolchain Toolchain
		lts       bool
		want      string
	}{
		{Go, false, "1.27"},
		{Node, true, "26"},
		{Node, false, "26"},
		{Python, false, "3.15"},
		{DotNet, true, "10.0"},
		{DotNet, false, "11.0"},
		{Java, true, "25"},
		{Java, false, "27"},
	} {
		if l, ok := Newest(c.toolchain, now, c.lts); !ok || l.Version != c.want {
			t.Errorf("Newest(%s, lts %v) = %s, want %s", c.toolchain, c.lts, l, c.want)
		}
	}

	// Node.js 26 was released in May 2026 but is LTS only from October
	if l, _ := Newest(Node, day("2026-09-01"), true); l.Version != "24" {
		t.Errorf("Newest LTS Node.js in September 2026 = %s, want 24", l)
	}

	node20, _ := Find(Node, "20")
	w := Warning("node:20-slim", node20, now)
	for _, want := range []string{"node:20-slim is Node.js 20", "2026-04-30", nodeSource, "Node.js 26"} {
		if !strings.Contains(w, want) {
			t.Errorf("Warning = %q, want it to contain %q", w, want)
		}
	}
	if w := Warning("node:20", node20, day("2026-04-29")); w != "" {
		t.Errorf("Warning the day before the EOL = %q, want none", w)
	}
	if w := Warning("node:20", node20, day("2026-04-30")); w == "" {
		t.Error("no Warning on the day of the EOL")
	}
	old, _ := Find(Node, "8")
	if w := Warning("node:8", old, now); !strings.Contains(w, "support ended by 2021-04-30") {
		t.Errorf("Warning for an older version = %q", w)
	}
}
