package presets

import (
	"bufio"
	"bytes"
	"io/fs"
	"regexp"
	"strings"
)

var (
	tomlSectionRe = regexp.MustCompile(`^\s*\[([^\]]+)\]\s*(?:#.*)?$`)
	tomlKeyRe     = regexp.MustCompile(`^\s*"?([A-Za-z0-9_.\-]+)"?\s*=`)
	pyVersionRe   = regexp.MustCompile(`^(\d+\.\d+)`)
)

func detectPython(p *project) ([]Detection, error) {
	hasReq, hasProject := p.has("requirements.txt"), p.has("pyproject.toml")
	if !hasReq && !hasProject {
		return nil, nil
	}
	o := &PythonOptions{}
	var found []string
	if hasReq {
		found = append(found, "requirements.txt")
	}
	var scripts []string
	if hasProject {
		found = append(found, "pyproject.toml")
		data, err := p.read("pyproject.toml")
		if err != nil {
			return nil, err
		}
		section := ""
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			line := sc.Text()
			if m := tomlSectionRe.FindStringSubmatch(line); m != nil {
				section = strings.TrimSpace(m[1])
				if section == "project" || section == "build-system" {
					o.Project = true
				}
				continue
			}
			if m := tomlKeyRe.FindStringSubmatch(line); m != nil && section == "project.scripts" {
				scripts = append(scripts, m[1])
			}
		}
		if !o.Project && !hasReq {
			// A pyproject.toml with only tool settings (black, ruff) is
			// no installable project, and the preset would copy a
			// requirements.txt that is not there.
			return nil, nil
		}
	}
	reason := strings.Join(found, " and ")
	if o.Project {
		reason += "; installing the project"
		if hasReq {
			o.Requirements = "requirements.txt"
			reason += " with --no-deps after the pinned requirements"
		}
	}
	if v := pyVersionRe.FindString(p.firstLine(".python-version")); v != "" {
		o.Version = v
		reason += ", Python " + v
	}
	if p.hasDir("wheels") {
		if whl, _ := fs.Glob(p.fsys, "wheels/*.whl"); len(whl) > 0 {
			o.FindLinks = "wheels"
			reason += ", wheels/ as --find-links"
		}
	}
	switch {
	case o.Project && len(scripts) == 1:
		o.Cmd = []string{scripts[0]}
	case p.has("app.py"):
	case p.has("main.py"):
		o.Cmd = []string{"python", "main.py"}
	case p.has("manage.py"):
		o.Cmd = []string{"python", "manage.py", "runserver", "0.0.0.0:8000"}
		o.Port = 8000
	default:
		reason += "; no app.py or main.py: set Cmd"
	}
	if len(o.Cmd) > 0 {
		reason += "; runs " + strings.Join(o.Cmd, " ")
	} else if p.has("app.py") {
		reason += "; runs python app.py"
	}
	return []Detection{{Preset: PresetPython, Reason: reason, Python: o}}, nil
}
