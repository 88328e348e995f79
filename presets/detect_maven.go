package presets

import (
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
)

// pom is the part of pom.xml that Detect reads.
type pom struct {
	ArtifactID string `xml:"artifactId"`
	Version    string `xml:"version"`
	Packaging  string `xml:"packaging"`
	Parent     struct {
		Version string `xml:"version"`
	} `xml:"parent"`
	Properties struct {
		Entries []struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
		} `xml:",any"`
	} `xml:"properties"`
	Build struct {
		FinalName string `xml:"finalName"`
	} `xml:"build"`
}

var pomPropertyRe = regexp.MustCompile(`\$\{([^}]+)\}`)

func detectMaven(p *project) ([]Detection, error) {
	if !p.has("pom.xml") {
		return nil, nil
	}
	data, err := p.read("pom.xml")
	if err != nil {
		return nil, err
	}
	var x pom
	if err := xml.Unmarshal(data, &x); err != nil {
		return nil, fmt.Errorf("detect: pom.xml: %w", err)
	}
	props := map[string]string{
		"project.artifactId": x.ArtifactID, "artifactId": x.ArtifactID, "pom.artifactId": x.ArtifactID,
		"project.version": or(x.Version, x.Parent.Version), "version": or(x.Version, x.Parent.Version), "pom.version": or(x.Version, x.Parent.Version),
	}
	for _, e := range x.Properties.Entries {
		props[e.XMLName.Local] = strings.TrimSpace(e.Value)
	}
	expand := func(s string) string {
		return pomPropertyRe.ReplaceAllStringFunc(s, func(m string) string {
			if v, ok := props[m[2:len(m)-1]]; ok {
				return v
			}
			return m
		})
	}
	o := &MavenOptions{Wrapper: p.has("mvnw") && p.hasDir(".mvn")}
	reason := "pom.xml"
	if o.Wrapper {
		reason += " with the Maven wrapper"
	}
	if packaging := or(x.Packaging, "jar"); packaging != "jar" {
		reason += "; packaging " + packaging + " is not a runnable jar: set Jar and RuntimeImage"
	} else {
		name := expand(x.Build.FinalName)
		if name == "" && x.ArtifactID != "" && props["project.version"] != "" {
			name = expand(x.ArtifactID + "-" + props["project.version"])
		}
		if name != "" && !strings.Contains(name, "${") {
			o.Jar = name + ".jar"
			reason += "; builds target/" + o.Jar
		}
	}
	for _, key := range []string{"maven.compiler.release", "java.version", "maven.compiler.target", "maven.compiler.source"} {
		if v := strings.TrimPrefix(expand(props[key]), "1."); v != "" && !strings.Contains(v, "${") {
			o.JavaVersion = v
			reason += ", Java " + v
			break
		}
	}
	return []Detection{{Preset: PresetMaven, Reason: reason, Maven: o}}, nil
}
