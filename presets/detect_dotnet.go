package presets

import (
	"encoding/xml"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
)

// msbuildProject is the part of a .csproj that Detect reads.
type msbuildProject struct {
	Sdk            string `xml:"Sdk,attr"`
	PropertyGroups []struct {
		AssemblyName     string `xml:"AssemblyName"`
		TargetFramework  string `xml:"TargetFramework"`
		TargetFrameworks string `xml:"TargetFrameworks"`
	} `xml:"PropertyGroup"`
}

var dotnetTFMRe = regexp.MustCompile(`^net(\d+\.\d+)$`)

func detectDotNet(p *project) ([]Detection, error) {
	projects := append(p.glob("*.csproj"), append(p.glob("*.fsproj"), p.glob("*.vbproj")...)...)
	solutions := append(p.glob("*.sln"), p.glob("*.slnx")...)
	if len(projects) == 0 && len(solutions) == 0 {
		return nil, nil
	}
	if len(projects) == 0 {
		// A solution with its projects in subdirectories, two levels at most
		// (src/Api/Api.csproj).
		for _, pattern := range []string{"*/*.??proj", "*/*/*.??proj"} {
			// fs.Glob on the directory, not filepath.Glob on a joined
			// path: the directory's own name may hold '[' or '*'.
			matches, err := fs.Glob(p.fsys, pattern)
			if err != nil {
				return nil, err
			}
			for _, rel := range matches {
				if fi, err := fs.Stat(p.fsys, rel); err != nil || fi.IsDir() {
					continue
				}
				if !strings.Contains(rel, "/bin/") && !strings.Contains(rel, "/obj/") {
					projects = append(projects, rel)
				}
			}
		}
		slices.Sort(projects)
	}
	o := &DotNetOptions{}
	reason := "found " + strings.Join(append(slices.Clone(solutions), projects...), ", ")
	// The entry project: the one ASP.NET Core project, else the one project.
	var chosen string
	var chosenProj msbuildProject
	for _, name := range projects {
		data, err := p.read(name)
		if err != nil {
			return nil, err
		}
		var proj msbuildProject
		if err := xml.Unmarshal(data, &proj); err != nil {
			return nil, fmt.Errorf("detect: %s: %w", name, err)
		}
		if strings.EqualFold(proj.Sdk, "Microsoft.NET.Sdk.Web") || len(projects) == 1 {
			if chosen == "" {
				chosen, chosenProj = name, proj
			}
		}
	}
	if chosen == "" {
		if len(solutions) == 1 {
			o.Project = solutions[0]
		}
		reason += "; no single ASP.NET Core project: set Project and AssemblyName"
		return []Detection{{Preset: PresetDotNet, Reason: reason, DotNet: o}}, nil
	}
	o.Project = chosen
	reason += "; publishing " + chosen
	for _, g := range chosenProj.PropertyGroups {
		if name := strings.TrimSpace(g.AssemblyName); name != "" {
			// MSBuild properties: the project's own name is known, any
			// other is not, and then the preset's default (the project
			// name) is a better guess than a name with "$(" in it.
			project := strings.TrimSuffix(path.Base(chosen), path.Ext(chosen))
			name = strings.ReplaceAll(name, "$(MSBuildProjectName)", project)
			if strings.Contains(name, "$(") {
				reason += "; AssemblyName " + g.AssemblyName + " uses MSBuild properties: set AssemblyName"
			} else {
				o.AssemblyName = name
			}
		}
		tfm := g.TargetFramework
		if tfm == "" && g.TargetFrameworks != "" {
			tfm = strings.Split(g.TargetFrameworks, ";")[0]
		}
		if m := dotnetTFMRe.FindStringSubmatch(strings.TrimSpace(tfm)); m != nil {
			o.Version = m[1]
			reason += ", " + m[0]
		}
	}
	return []Detection{{Preset: PresetDotNet, Reason: reason, DotNet: o}}, nil
}
