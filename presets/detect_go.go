package presets

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

var (
	goModuleRe    = regexp.MustCompile(`(?m)^module\s+"?([^\s"]+)"?`)
	goDirectiveRe = regexp.MustCompile(`(?m)^go\s+(\d+\.\d+)`)
	goMainRe      = regexp.MustCompile(`(?m)^package\s+main\b`)
	majorSuffixRe = regexp.MustCompile(`^v\d+$`)
)

func detectGo(p *project) ([]Detection, error) {
	if !p.has("go.mod") {
		return nil, nil
	}
	mod, err := p.read("go.mod")
	if err != nil {
		return nil, err
	}
	o := &GoOptions{}
	reason := "go.mod"
	if m := goModuleRe.FindSubmatch(mod); m != nil {
		module := string(m[1])
		reason += " declares module " + module
		parts := strings.Split(module, "/")
		if len(parts) > 1 && majorSuffixRe.MatchString(parts[len(parts)-1]) {
			parts = parts[:len(parts)-1]
		}
		o.Binary = binaryName(parts[len(parts)-1])
	}
	if m := goDirectiveRe.FindSubmatch(mod); m != nil {
		o.Version = string(m[1])
		reason += ", go " + o.Version
	}
	if !p.hasMain(".") {
		switch cmds := p.mainCommands(); len(cmds) {
		case 1:
			o.Package = "./cmd/" + cmds[0]
			o.Binary = binaryName(cmds[0])
			reason += ", main package " + o.Package
		case 0:
			reason += "; no main package at the root or under cmd/: set Package"
		default:
			reason += "; several commands under cmd/ (" + strings.Join(cmds, ", ") + "): set Package and Binary"
		}
	}
	if p.hasDir("vendor") {
		if _, err := os.Stat(filepath.Join(p.dir, "vendor", "modules.txt")); err == nil {
			o.Vendor = true
			reason += ", vendored dependencies"
		}
	}
	return []Detection{{Preset: PresetGo, Reason: reason, Go: o}}, nil
}

// hasMain reports whether the directory rel holds a Go main package.
func (p *project) hasMain(rel string) bool {
	entries, err := os.ReadDir(filepath.Join(p.dir, filepath.FromSlash(rel)))
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(p.dir, filepath.FromSlash(rel), e.Name()))
		if err == nil && goMainRe.Match(data) {
			return true
		}
	}
	return false
}

// mainCommands lists the directories cmd/<name> that hold a main package.
func (p *project) mainCommands() []string {
	if !p.hasDir("cmd") {
		return nil
	}
	entries, err := os.ReadDir(filepath.Join(p.dir, "cmd"))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && p.hasMain("cmd/"+e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

// binaryName keeps the characters of name that are safe in a file name.
func binaryName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return -1
	}, name)
	if name == "" || name == "." || name == ".." {
		return ""
	}
	return name
}
