package multistage

// MoreSources adds sources to a copy, after the src given to [Stage.Copy],
// [Stage.CopyFrom] or [Stage.CopyFromImage], so that several sources go to
// one destination in one instruction:
//
//	COPY go.mod go.sum ./
//
// is Copy("go.mod", "./", MoreSources("go.sum")). With more than one
// source, dst should be a directory (end it with '/'). The copies are one
// llb file operation, as in BuildKit's Dockerfile frontend.
func MoreSources(srcs ...string) CopyOption {
	return copyFunc(func(c *copyConfig) {
		for _, src := range srcs {
			if err := checkPath("source", src); err != nil {
				c.errs = append(c.errs, err)
				return
			}
		}
		c.cp.Sources = append(c.cp.Sources, srcs...)
	})
}
