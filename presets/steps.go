package presets

import (
	"path"

	"github.com/multistage/multistage"
)

// Steps are instructions of the caller's own that a preset adds at named
// points of its stages, for what a preset cannot know: a configuration
// file the install reads, code generated before the build, a check of the
// output after it, a system library the application loads at run time.
// Each function is called with the stage at that point and may add any
// instructions to it; a nil function adds none.
//
//	presets.Go(presets.GoOptions{Steps: presets.Steps{
//		BeforeBuild: func(s *multistage.Stage) {
//			s.Run("go generate ./...", presets.GoCache())
//		},
//	}})
//
// Every preset calls them in the order of the fields, and documents which
// of its stages each one runs in.
type Steps struct {
	// BeforeInstall runs in each stage that installs dependencies, after
	// the manifests and lockfiles are copied and before the install
	// command: copy a file the install needs, set up a private registry.
	// The sources are not there yet.
	BeforeInstall func(s *multistage.Stage) `json:"-"`
	// BeforeBuild runs in the builder stage after the sources are
	// copied, before the build command: generate code, build assets.
	BeforeBuild func(s *multistage.Stage) `json:"-"`
	// AfterBuild runs in the builder stage after the build command:
	// run the tests, check or trim the output.
	AfterBuild func(s *multistage.Stage) `json:"-"`
	// Runtime runs in the runtime stage after the application is copied
	// in, as root, before the stage switches to its unprivileged user and
	// sets the command: install a system library, add a file.
	Runtime func(s *multistage.Stage) `json:"-"`
}

// beforeInstall, beforeBuild, afterBuild and runtime call the step, if set.
func (st Steps) beforeInstall(s *multistage.Stage) { call(st.BeforeInstall, s) }
func (st Steps) beforeBuild(s *multistage.Stage)   { call(st.BeforeBuild, s) }
func (st Steps) afterBuild(s *multistage.Stage)    { call(st.AfterBuild, s) }
func (st Steps) runtime(s *multistage.Stage)       { call(st.Runtime, s) }

func call(f func(*multistage.Stage), s *multistage.Stage) {
	if f != nil {
		f(s)
	}
}

// writableDirs makes dirs, relative to workdir or absolute, directories
// that the runtime stage's user may write to (a SQLite file, uploads), and
// sets the working directory back to workdir. Call it right after the
// stage's USER: WORKDIR creates a missing directory owned by the user the
// stage runs as, with no shell in the image (distroless has none), as
// BuildKit's Dockerfile frontend does. A directory the build already put
// there (copied from the sources) keeps the owner it had, so the presets
// exclude these directories from their source copy.
func writableDirs(rt *multistage.Stage, workdir string, dirs []string) {
	if len(dirs) == 0 {
		return
	}
	for _, d := range dirs {
		rt.Workdir(absDir(workdir, d))
	}
	rt.Workdir(workdir)
}

// absDir returns d, cleaned, joined to workdir unless it is absolute.
func absDir(workdir, d string) string {
	if path.IsAbs(d) {
		return path.Clean(d)
	}
	return path.Join(workdir, d)
}
