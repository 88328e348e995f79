package presets

import (
	"path/filepath"
	"strings"
)

// backendPresets are the presets of applications that serve a front end
// a Node.js build makes for them.
var backendPresets = map[string]string{PresetGo: "Go", PresetDotNet: ".NET", PresetMaven: "Maven", PresetPython: "Python"}

// frontEndsAfter moves the Node.js detections of out whose build output
// lies in the directory dir of a backend that Detect also found there
// (a Flask application serving client/dist, Django's static
// directories, a Go server's embedded UI) after the others: the front
// end is built for the backend, which is the project's application.
// They stay, for a caller who wants the static site alone. Contexts
// are those of out, "" for dir.
func frontEndsAfter(out []Detection, dir string) (kept, moved []Detection) {
	dir = filepath.Clean(dir)
	var backend *Detection
	for i, d := range out {
		if backendPresets[d.Preset] != "" && backendDir(d, dir) == dir {
			backend = &out[i]
			break
		}
	}
	if backend == nil {
		return out, nil
	}
	name := backendPresets[backend.Preset]
	for _, d := range out {
		output := nodeOutput(d, dir)
		if output == "" {
			kept = append(kept, d)
			continue
		}
		rel, err := filepath.Rel(dir, output)
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			kept = append(kept, d)
			continue
		}
		d.Reason += "; ranked after the " + name + " application (" + backend.Preset + ") of the same directory: its output " +
			filepath.ToSlash(rel) + "/ is inside that application's tree, so the front end is built for the backend; " +
			"this detection builds the front end alone"
		moved = append(moved, d)
	}
	return kept, moved
}

// backendDir returns the directory of the application of a backend
// detection: its Context, or the member of it that it builds.
func backendDir(d Detection, dir string) string {
	ctx := d.Context
	if ctx == "" {
		ctx = dir
	}
	switch {
	case d.Python != nil && d.Python.AppDir != "":
		return filepath.Join(ctx, filepath.FromSlash(d.Python.AppDir))
	case d.Maven != nil && d.Maven.Module != "":
		return filepath.Join(ctx, filepath.FromSlash(d.Maven.Module))
	}
	return filepath.Clean(ctx)
}

// nodeOutput returns the directory a Node.js detection's build writes,
// or "" for another preset or one with no output directory.
func nodeOutput(d Detection, dir string) string {
	var ws, out string
	switch {
	case d.NodeStatic != nil:
		ws, out = d.NodeStatic.Workspace, d.NodeStatic.OutputDir
	case d.NodeServer != nil:
		ws, out = d.NodeServer.Workspace, d.NodeServer.OutputDir
	}
	if out == "" {
		return ""
	}
	ctx := d.Context
	if ctx == "" {
		ctx = dir
	}
	return filepath.Join(ctx, filepath.FromSlash(ws), filepath.FromSlash(out))
}
