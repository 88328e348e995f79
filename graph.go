package multistage

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/multistage/multistage/internal/ir"
)

// Mermaid returns the stage graph of the build as a Mermaid flowchart,
// which GitHub and GitLab render in Markdown inside a ```mermaid block:
//
//	flowchart TB
//	    s0["build<br>FROM golang:1.22"]
//	    s1["run<br>FROM alpine:latest"]:::target
//	    s0 -->|"COPY /out/app → /usr/local/bin/app"| s1
//	    classDef target stroke-width:3px
//
// The graph has a node for every stage, labelled with its name and its
// FROM (an image, scratch or another stage), and an edge for every use of
// a stage: its base stage ("FROM"), each COPY --from with its paths, each
// RUN --mount from a stage, and the COPY --from and RUN --mount from
// that ONBUILD triggers of a base stage run. An image that files are
// copied or mounted from (COPY --from=nginx:alpine) is a node of its own,
// drawn as a cylinder.
//
// The target ([Target], or the last stage) is drawn with a thick border.
// Stages and images that the target does not need are drawn dashed in a
// box of their own, "not needed for <target>".
//
// The build is checked first, as [Build.Validate] checks it with the same
// options: an invalid build returns its errors and no graph. Of the
// options, only [Target] changes the graph. The output is canonical:
// stages in the order they were added, edges in the order of the
// instructions, and the same build gives the same bytes.
func (b *Build) Mermaid(opts ...Option) ([]byte, error) {
	g, err := b.graph(opts)
	if err != nil {
		return nil, err
	}
	return g.mermaid(), nil
}

// DOT returns the stage graph of the build in Graphviz's DOT language,
// for "dot -Tsvg" and the other Graphviz tools:
//
//	digraph build {
//		"build" [label="build\nFROM golang:1.22"];
//		"run" [label="run\nFROM alpine:latest", penwidth=3];
//		"build" -> "run" [label="COPY /out/app → /usr/local/bin/app"];
//	}
//
// It is the graph of [Build.Mermaid]: a node per stage, an edge per use,
// the target drawn with a thick border, and what the target does not need
// dashed, in a cluster of its own ("not needed for <target>").
func (b *Build) DOT(opts ...Option) ([]byte, error) {
	g, err := b.graph(opts)
	if err != nil {
		return nil, err
	}
	return g.dot(), nil
}

// stageGraph is the graph both formats draw.
type stageGraph struct {
	target string
	nodes  []graphNode
	edges  []graphEdge
}

type graphNode struct {
	id     string // "s0" for stages, "i0" for images: safe in both formats
	name   string // the stage name, or the image reference
	from   string // the FROM line without the instruction, for stages
	image  bool
	target bool
	needed bool
}

type graphEdge struct {
	from, to int // node indexes
	label    string
}

// graph checks the build and collects its stage graph.
func (b *Build) graph(opts []Option) (*stageGraph, error) {
	cfg := newConfig(opts)
	if _, _, err := b.lower(cfg); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.stages) == 0 {
		return nil, ErrNoStages
	}
	target := b.stages[len(b.stages)-1]
	if cfg.target != nil {
		target = cfg.target
	}
	need := neededBy(b.stages, target)
	g := &stageGraph{target: target.name}
	node := make(map[*Stage]int, len(b.stages))
	for i, s := range b.stages {
		node[s] = i
		from := s.base.Image
		if s.baseFrom != nil {
			from = s.baseFrom.name
		}
		if s.platform != "" {
			from = "--platform=" + s.platform + " " + from
		}
		g.nodes = append(g.nodes, graphNode{id: fmt.Sprintf("s%d", i), name: s.name, from: "FROM " + from, target: s == target, needed: need[s]})
	}
	images := map[string]int{}
	imageNode := func(ref string, neededBy bool) int {
		i, ok := images[ref]
		if !ok {
			i = len(g.nodes)
			images[ref] = i
			g.nodes = append(g.nodes, graphNode{id: fmt.Sprintf("i%d", len(images)-1), name: ref, image: true})
		}
		g.nodes[i].needed = g.nodes[i].needed || neededBy
		return i
	}
	for _, s := range b.stages {
		to := node[s]
		if s.baseFrom != nil {
			g.edges = append(g.edges, graphEdge{from: node[s.baseFrom], to: to, label: "FROM"})
			// The triggers of the base stage run here, and find their
			// stages by name.
			for _, in := range s.baseFrom.instrs {
				ob, ok := in.ir.(*ir.OnBuild)
				if !ok {
					continue
				}
				for _, t := range ob.Triggers {
					for _, u := range useLabels(t) {
						from := -1
						for _, st := range b.stages {
							if strings.EqualFold(st.name, u.name) {
								from = node[st]
								break
							}
						}
						if from < 0 {
							from = imageNode(u.name, need[s])
						}
						g.edges = append(g.edges, graphEdge{from: from, to: to, label: "ONBUILD " + u.label})
					}
				}
			}
		}
		for _, in := range s.instrs {
			switch x := in.ir.(type) {
			case *ir.Copy:
				switch {
				case in.from != nil:
					g.edges = append(g.edges, graphEdge{from: node[in.from], to: to, label: copyLabel(x)})
				case x.From.Image != "":
					g.edges = append(g.edges, graphEdge{from: imageNode(x.From.Image, need[s]), to: to, label: copyLabel(x)})
				}
			case *ir.Run:
				for i, m := range x.Mounts {
					switch {
					case i < len(in.mount) && in.mount[i] != nil:
						g.edges = append(g.edges, graphEdge{from: node[in.mount[i]], to: to, label: mountLabel(m)})
					case m.From.Image != "" && m.From.Image != "scratch":
						g.edges = append(g.edges, graphEdge{from: imageNode(m.From.Image, need[s]), to: to, label: mountLabel(m)})
					}
				}
			}
		}
	}
	return g, nil
}

// use is a COPY --from or RUN --mount from of an ONBUILD trigger, which
// names its source.
type use struct{ name, label string }

// useLabels returns the sources that trigger t names, with their labels.
func useLabels(t ir.Instruction) []use {
	var out []use
	switch x := t.(type) {
	case *ir.Copy:
		if x.From.Image != "" {
			out = append(out, use{x.From.Image, copyLabel(x)})
		}
	case *ir.Run:
		for _, m := range x.Mounts {
			if m.From.Image != "" && m.From.Image != "scratch" {
				out = append(out, use{m.From.Image, mountLabel(m)})
			}
		}
	}
	return out
}

// copyLabel is the label of a COPY --from edge: "COPY /src → /dst".
func copyLabel(cp *ir.Copy) string {
	name := "COPY"
	if cp.Add {
		name = "ADD"
	}
	return name + " " + strings.Join(cp.Sources, " ") + " → " + cp.Dest
}

// mountLabel is the label of a RUN --mount from edge:
// "RUN --mount=type=bind /src → /target".
func mountLabel(m ir.Mount) string {
	src := m.Source
	if src == "" {
		src = "/"
	}
	return "RUN --mount=type=" + string(m.Type) + " " + src + " → " + m.Target
}

func (g *stageGraph) mermaid() []byte {
	var w bytes.Buffer
	w.WriteString("flowchart TB\n")
	def := func(indent string, n graphNode) {
		label := mermaidText(n.name)
		open, end := "[\"", "\"]"
		if n.image {
			open, end = "[(\"", "\")]"
		} else {
			label += "<br>" + mermaidText(n.from)
		}
		class := ""
		switch {
		case n.target:
			class = ":::target"
		case !n.needed:
			class = ":::unused"
		}
		fmt.Fprintf(&w, "%s%s%s%s%s%s\n", indent, n.id, open, label, end, class)
	}
	unused := 0
	for _, n := range g.nodes {
		if n.needed {
			def("    ", n)
		} else {
			unused++
		}
	}
	if unused > 0 {
		fmt.Fprintf(&w, "    subgraph unused[\"not needed for %s\"]\n", mermaidText(g.target))
		for _, n := range g.nodes {
			if !n.needed {
				def("        ", n)
			}
		}
		w.WriteString("    end\n")
	}
	for _, e := range g.edges {
		fmt.Fprintf(&w, "    %s -->|\"%s\"| %s\n", g.nodes[e.from].id, mermaidText(e.label), g.nodes[e.to].id)
	}
	w.WriteString("    classDef target stroke-width:3px\n")
	if unused > 0 {
		w.WriteString("    classDef unused stroke-dasharray:5 5\n")
	}
	return w.Bytes()
}

func (g *stageGraph) dot() []byte {
	var w bytes.Buffer
	w.WriteString("digraph build {\n")
	w.WriteString("\tgraph [fontname=\"Helvetica\"];\n")
	w.WriteString("\tnode [shape=box, style=rounded, fontname=\"Helvetica\"];\n")
	w.WriteString("\tedge [fontname=\"Helvetica\", fontsize=10];\n")
	def := func(indent string, n graphNode) {
		var attrs string
		if n.image {
			style := "solid"
			if !n.needed {
				style = "dashed"
			}
			attrs = "label=" + dotText(n.name) + ", shape=cylinder, style=" + style
		} else {
			attrs = "label=" + dotText(n.name, n.from)
			if n.target {
				attrs += ", penwidth=3"
			}
			if !n.needed {
				attrs += `, style="rounded,dashed"`
			}
		}
		fmt.Fprintf(&w, "%s%s [%s];\n", indent, dotText(g.dotID(n)), attrs)
	}
	unused := 0
	for _, n := range g.nodes {
		if n.needed {
			def("\t", n)
		} else {
			unused++
		}
	}
	if unused > 0 {
		w.WriteString("\tsubgraph cluster_unused {\n")
		fmt.Fprintf(&w, "\t\tlabel=%s;\n", dotText("not needed for "+g.target))
		w.WriteString("\t\tstyle=dashed;\n")
		for _, n := range g.nodes {
			if !n.needed {
				def("\t\t", n)
			}
		}
		w.WriteString("\t}\n")
	}
	for _, e := range g.edges {
		fmt.Fprintf(&w, "\t%s -> %s [label=%s];\n", dotText(g.dotID(g.nodes[e.from])), dotText(g.dotID(g.nodes[e.to])), dotText(e.label))
	}
	w.WriteString("}\n")
	return w.Bytes()
}

// dotID is the DOT id of a node: the stage name (unique and plain, since
// the build is valid), or "image " and the reference.
func (g *stageGraph) dotID(n graphNode) string {
	if n.image {
		return "image " + n.name
	}
	return n.name
}

// mermaidText escapes s for a double-quoted Mermaid label: Mermaid reads
// "#name;" and "#number;" as entities, so the characters that would end
// the label, start markup or an entity are written that way. Control
// characters become their Unicode control pictures (a newline is ␊).
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString("#quot;")
		case '#', '<', '>', '&', '`', '|':
			fmt.Fprintf(&b, "#%d;", r)
		default:
			b.WriteRune(controlPicture(r))
		}
	}
	return b.String()
}

// dotText quotes lines as one DOT string, the lines separated by \n:
// backslashes and quotes are escaped, so that Graphviz's escape sequences
// (\n, \l, \N, ...) never come from the build's values, '&' is written
// as the entity "&amp;" (Graphviz reads entities in labels), and control
// characters become their Unicode control pictures.
func dotText(lines ...string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, s := range lines {
		if i > 0 {
			b.WriteString(`\n`)
		}
		for _, r := range s {
			switch r {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteRune(r)
			case '&':
				b.WriteString("&amp;")
			default:
				b.WriteRune(controlPicture(r))
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// controlPicture returns the Unicode control picture of a control
// character (U+2400 to U+2421), and any other rune as it is.
func controlPicture(r rune) rune {
	switch {
	case r < 0x20:
		return 0x2400 + r
	case r == 0x7f:
		return 0x2421
	}
	return r
}
