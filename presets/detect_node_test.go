package presets_test

import "testing"

// TestProjectsNode runs Detect on the Node.js fixture applications.
func TestProjectsNode(t *testing.T) {
	checkProjects(t, []projectCase{
		{"node-pnpm-workspace", "a pnpm workspace whose server is a member that depends on a TypeScript package of the workspace; " +
			"Detect on the root lists the server, Detect on the member builds it from the root", []string{".", "apps/api"}},
		{"node-yarn4", "a TypeScript server pinned to Yarn 4 by packageManager, with Yarn's default Plug'n'Play linker", []string{"."}},
		{"node-npm-husky", "an npm server whose prepare script runs husky and whose postinstall runs patch-package, both devDependencies, " +
			"with an .npmrc and a patches/ directory", []string{"."}},
		{"next-standalone", "a Next.js application with output: 'standalone' in next.config.mjs", []string{"."}},
	})
}
