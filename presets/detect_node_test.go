package presets_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/multistage/multistage/presets"
)

// TestProjectsNode runs Detect on the Node.js fixture applications.
func TestProjectsNode(t *testing.T) {
	checkProjects(t, []projectCase{
		{"node-pnpm-workspace", "a pnpm workspace whose server is a member that depends on a TypeScript package of the workspace; " +
			"Detect on the root lists the server, Detect on the member builds it from the root", []string{".", "apps/api"}},
		{"node-yarn4", "a TypeScript server pinned to Yarn 4 by packageManager, with Yarn's default Plug'n'Play linker", []string{"."}},
		{"node-npm-husky", "an npm server whose prepare script runs husky and whose postinstall runs patch-package, both devDependencies, " +
			"with an .npmrc and a patches/ directory", []string{"."}},
		{"next-standalone", "a Next.js application with output: 'standalone' in next.config.mjs", []string{"."}},
		{"node-npm-turbo", "an npm workspace built with turbo: a vite site writing site/ and a server, both depending on a TypeScript package of the workspace; " +
			"Detect on the root lists both, Detect on the site builds it from the root", []string{".", "apps/docs"}},
	})
}

// TestDetectNode checks what Detect reads in Node.js projects, one
// feature per case, on projects written into a temporary directory.
func TestDetectNode(t *testing.T) {
	lock := map[string]string{"package-lock.json": "{}"}
	with := func(files map[string]string, more map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range files {
			out[k] = v
		}
		for k, v := range more {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name, reason string
		files        map[string]string
		dir          string // where Detect runs, "" for the root
		want         []presets.Detection
		context      string // want Context relative to the root, "" for "."
		hint         string // in the first reason
		lastHint     string // in the last reason
	}{{
		name:   "yarn-berry-yarnpath",
		reason: "Yarn 3 from its checked-in release, without packageManager: its version from the file name, Yarn's files copied",
		files: map[string]string{"package.json": `{"scripts": {"start": "node index.js"}, "dependencies": {"express": "4"}}`,
			"yarn.lock": "__metadata:\n  version: 6\n", ".yarnrc.yml": "nodeLinker: node-modules\nplugins:\n  - path: .yarn/plugins/@yarnpkg/plugin-workspace-tools.cjs\n    spec: \"@yarnpkg/plugin-workspace-tools\"\nyarnPath: .yarn/releases/yarn-3.6.4.cjs\n",
			".yarn/releases/yarn-3.6.4.cjs": "", ".yarn/plugins/@yarnpkg/plugin-workspace-tools.cjs": "", "index.js": ""},
		want: []presets.Detection{{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Yarn,
			PackageManagerVersion: "3.6.4", Lockfile: "yarn.lock", InstallFiles: []string{".yarnrc.yml", ".yarn/releases", ".yarn/plugins"}, Entry: "index.js"}}},
	}, {
		name:   "yarn3-without-workspace-tools",
		reason: "Yarn 3 without the workspace-tools plugin has no production-only install: the runtime keeps every dependency, and the reason says so",
		files: map[string]string{"package.json": `{"packageManager": "yarn@3.6.1", "scripts": {"start": "node index.js"}}`,
			"yarn.lock": "__metadata:\n  version: 6\n", ".yarnrc.yml": "yarnPath: .yarn/releases/yarn-3.6.1.cjs\n", ".yarn/releases/yarn-3.6.1.cjs": ""},
		want: []presets.Detection{{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Yarn,
			PackageManagerVersion: "3.6.1", Lockfile: "yarn.lock", InstallFiles: []string{".yarnrc.yml", ".yarn/releases"}, Entry: "index.js", DevDependencies: true}}},
		hint: "workspace-tools plugin",
	}, {
		name:   "yarn-berry-lockfile-only",
		reason: "a Yarn 4 lockfile and nothing else: the newest Yarn 4, and the reason says to pin it",
		files: map[string]string{"package.json": `{"scripts": {"build": "vite build"}, "devDependencies": {"vite": "5"}}`,
			"yarn.lock": "# yarn lockfile\n\n__metadata:\n  version: 8\n  cacheKey: 10c0\n"},
		want: []presets.Detection{{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{PackageManager: presets.Yarn,
			PackageManagerVersion: "4", Lockfile: "yarn.lock", OutputDir: "dist"}}},
		hint: "pin the exact one with packageManager",
	}, {
		name:   "pnpm-lockfile-5.4",
		reason: "an old pnpm lockfile gets the pnpm that writes it",
		files: map[string]string{"package.json": `{"scripts": {"start": "node server.js"}}`, "pnpm-lock.yaml": "lockfileVersion: 5.4\n",
			".pnpmfile.cjs": "", "patches/x.patch": ""},
		want: []presets.Detection{{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Pnpm,
			PackageManagerVersion: "7", Lockfile: "pnpm-lock.yaml", InstallFiles: []string{".pnpmfile.cjs", "patches"}, Entry: "server.js"}}},
	}, {
		name:   "volta-and-engines",
		reason: "Volta's pin comes before engines.node",
		files:  with(lock, map[string]string{"package.json": `{"main": "app.js", "volta": {"node": "22.11.0"}, "engines": {"node": ">=18"}}`}),
		want: []presets.Detection{{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{Version: "22", PackageManager: presets.Npm,
			Lockfile: "package-lock.json", Entry: "app.js"}}},
	}, {
		name:   "next-export",
		reason: "next.config sets output 'export' and a distDir: a static site from distDir with clean URLs; a commented-out output is not read",
		files: with(lock, map[string]string{"package.json": `{"scripts": {"build": "next build", "start": "next start"}, "dependencies": {"next": "15"}}`,
			"next.config.js": "// output: 'standalone',\nmodule.exports = {\n  output: \"export\",\n  distDir: 'site',\n}\n"}),
		want: []presets.Detection{{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{PackageManager: presets.Npm,
			Lockfile: "package-lock.json", OutputDir: "site", CleanURLs: true}}},
	}, {
		name:   "next-start",
		reason: "Next.js with no output in its config: next build, then next start with the production dependencies, and the reason says how to get standalone",
		files: with(lock, map[string]string{"package.json": `{"scripts": {"build": "next build", "start": "next start -p 8080"}, "dependencies": {"next": "15"}}`,
			"next.config.mjs": "export default { reactStrictMode: true }\n"}),
		want: []presets.Detection{{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Npm,
			Lockfile: "package-lock.json", BuildScript: "build", OutputDir: ".next", CacheDirs: []string{".next/cache"}, Port: 8080}}},
		hint: "set output: 'standalone'",
	}, {
		name:   "angular-application-builder",
		reason: "angular.json with the application builder: outputPath's browser/ directory; ng serve is no server",
		files: with(lock, map[string]string{"package.json": `{"scripts": {"build": "ng build", "start": "ng serve"}, "dependencies": {"@angular/core": "18", "@angular/router": "18"}}`,
			"angular.json": `{"projects": {"shop": {"projectType": "application", "architect": {"build": {"builder": "@angular-devkit/build-angular:application", "options": {"outputPath": "dist/shop"}}}}}}`}),
		want: []presets.Detection{{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{PackageManager: presets.Npm,
			Lockfile: "package-lock.json", OutputDir: "dist/shop/browser", SPA: true}}},
	}, {
		name:   "vite-root-outdir",
		reason: "vite's outDir is relative to its root",
		files: with(lock, map[string]string{"package.json": `{"scripts": {"build": "vite build", "start": "vite preview"}, "devDependencies": {"vite": "5"}}`,
			"vite.config.ts": "export default defineConfig({\n  root: 'client',\n  build: { outDir: '../public' },\n})\n"}),
		want: []presets.Detection{{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{PackageManager: presets.Npm,
			Lockfile: "package-lock.json", OutputDir: "public"}}},
	}, {
		name:   "sveltekit-node",
		reason: "SvelteKit with adapter-node: a server running build/index.js",
		files: with(lock, map[string]string{"package.json": `{"scripts": {"build": "vite build"}, "devDependencies": {"@sveltejs/kit": "2", "@sveltejs/adapter-node": "5", "vite": "5"}}`,
			"svelte.config.js": "import adapter from '@sveltejs/adapter-node';\nexport default { kit: { adapter: adapter() } };\n"}),
		want: []presets.Detection{{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Npm,
			Lockfile: "package-lock.json", BuildScript: "build", OutputDir: "build", Entry: "build/index.js"}}},
	}, {
		name:   "nitro-tanstack-start",
		reason: "TanStack Start builds a Nitro server with vite: node .output/server/index.mjs, not a static dist/",
		files: with(lock, map[string]string{"package.json": `{"scripts": {"build": "vite build", "start": "vite start"}, "dependencies": {"@tanstack/react-start": "1", "nitro": "3"}, "devDependencies": {"vite": "7"}}`,
			"vite.config.ts": "export default defineConfig({ plugins: [nitro(), tanstackStart()] })\n"}),
		want: []presets.Detection{{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Npm,
			Lockfile: "package-lock.json", BuildScript: "build", OutputDir: ".output", Entry: ".output/server/index.mjs"}}},
	}, {
		name:   "nest-start-prod",
		reason: "NestJS: the start:prod script's node file, not nest start; the build output from tsconfig",
		files: with(lock, map[string]string{"package.json": `{"scripts": {"build": "nest build", "start": "nest start", "start:prod": "node dist/main"}, "dependencies": {"@nestjs/core": "10"}, "devDependencies": {"@nestjs/cli": "10"}}`,
			"src/main.ts": "await app.listen(process.env.PORT ?? 3001);\n"}),
		want: []presets.Detection{{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Npm,
			Lockfile: "package-lock.json", BuildScript: "build", OutputDir: "dist", Entry: "dist/main", Port: 3001}}},
	}, {
		name:   "ts-node-start",
		reason: "a start script through ts-node, a devDependency: the runtime keeps the devDependencies",
		files:  with(lock, map[string]string{"package.json": `{"scripts": {"start": "ts-node src/index.ts"}, "dependencies": {"express": "4"}, "devDependencies": {"ts-node": "10"}}`}),
		want: []presets.Detection{{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Npm,
			Lockfile: "package-lock.json", DevDependencies: true}}},
	}, {
		name:   "berry-prepare",
		reason: "Yarn 2+ runs no prepare script on install: no prune for husky there, but a postinstall that runs a devDependency prunes",
		files: map[string]string{"package.json": `{"packageManager": "yarn@4.5.3", "scripts": {"start": "node a.js", "prepare": "husky"}, "devDependencies": {"husky": "9"}}`,
			"yarn.lock": "__metadata:\n  version: 8\n"},
		want: []presets.Detection{{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Yarn,
			PackageManagerVersion: "4.5.3", Lockfile: "yarn.lock", Entry: "a.js"}}},
	}, {
		name:   "prisma",
		reason: "Prisma's schema is copied before the install, which generates the client from it",
		files: with(lock, map[string]string{"package.json": `{"scripts": {"start": "node index.js"}, "dependencies": {"@prisma/client": "5"}, "devDependencies": {"prisma": "5"}}`,
			"prisma/schema.prisma": ""}),
		want: []presets.Detection{{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Npm,
			Lockfile: "package-lock.json", InstallFiles: []string{"prisma/schema.prisma"}, Entry: "index.js"}}},
	}, {
		name: "start-watches-css",
		reason: "a start script that only compiles and watches style sheets (through other scripts, one with -- --watch) is no server; " +
			"a start script that runs a watched server still is one",
		files: with(lock, map[string]string{"package.json": `{"scripts": {"build-css": "sass static/sass:static/css", "watch-css": "npm run build-css -- --watch", ` +
			`"start": "npm run build-css && npm run watch-css", "dev": "node --watch server.js"}, "devDependencies": {"sass": "1"}}`, "manage.py": ""}),
	}, {
		name:   "start-tailwind-and-server",
		reason: "a start script that watches styles beside a server is a server",
		files:  with(lock, map[string]string{"package.json": `{"scripts": {"css": "tailwindcss -i in.css -o out.css --watch", "start": "npm run css & node server.js"}}`}),
		want: []presets.Detection{{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Npm,
			Lockfile: "package-lock.json"}}},
	}, {
		name: "pnpm-workspace-library-member",
		reason: "Detect on the root of a pnpm workspace whose only member is a library bundled with webpack (main and exports in dist/, no HTML entry): " +
			"the library is no site and no server; the root's vite site is the detection",
		files: map[string]string{
			"package.json":   `{"name": "app", "scripts": {"build": "vite build"}, "dependencies": {"@acme/charts": "workspace:*"}, "devDependencies": {"vite": "6"}}`,
			"pnpm-lock.yaml": "lockfileVersion: '9.0'\n", "pnpm-workspace.yaml": "packages:\n  - charts\n", "index.html": "",
			"charts/package.json": `{"name": "@acme/charts", "main": "dist/charts.js", "exports": {".": {"import": "./dist/charts.mjs"}}, "scripts": {"build": "webpack"}, "devDependencies": {"webpack": "5", "react": "18"}}`,
			"charts/src/index.js": "",
		},
		want: []presets.Detection{{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{PackageManager: presets.Pnpm, PackageManagerVersion: "9",
			Lockfile: "pnpm-lock.yaml", InstallFiles: []string{"pnpm-workspace.yaml", "charts/package.json"}, OutputDir: "dist"}}},
	}, {
		name:   "vite-library",
		reason: "a vite library (module and types in dist/, no index.html): no site, no server",
		files: with(lock, map[string]string{"package.json": `{"name": "ui-kit", "module": "dist/ui-kit.js", "types": "dist/index.d.ts", "scripts": {"build": "vite build"}, "devDependencies": {"vite": "6", "vue": "3"}}`,
			"src/index.ts": ""}),
	}, {
		name: "maven-frontend-plugin",
		reason: "a Spring Boot application whose pom.xml runs the Angular build (frontend-maven-plugin) into target/classes/static/: " +
			"the Node.js build belongs to the jar, no node-static of its own, and the Maven reason says its build runs the front end",
		files: with(lock, map[string]string{
			"pom.xml": `<project><parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId><version>3.4.1</version></parent>
				<artifactId>shop</artifactId><version>1.0</version><build><plugins>
				<plugin><groupId>org.springframework.boot</groupId><artifactId>spring-boot-maven-plugin</artifactId></plugin>
				<plugin><groupId>com.github.eirslett</groupId><artifactId>frontend-maven-plugin</artifactId></plugin></plugins></build></project>`,
			"package.json": `{"scripts": {"build": "ng build", "start": "ng serve"}, "dependencies": {"@angular/core": "19", "@angular/router": "19"}}`,
			"angular.json": `{"projects": {"shop": {"projectType": "application", "architect": {"build": {"builder": "@angular-devkit/build-angular:browser", "options": {"outputPath": "target/classes/static/"}}}}}}`,
		}),
		want: []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{JavaVersion: "17", Jar: "shop-1.0.jar",
			SpringBootVersion: "3.4.1", Sources: []string{"."}}}},
		hint: "the Maven build runs the front end's build",
	}, {
		name: "vite-into-maven-target",
		reason: "a vite site whose outDir is in the target/ directory of the pom.xml beside it, which does not run it: " +
			"the front end of the Java application, ranked after the Maven detection, and the reason says why",
		files: with(lock, map[string]string{
			"pom.xml":        `<project><artifactId>shop</artifactId><version>1.0</version></project>`,
			"package.json":   `{"scripts": {"build": "vite build"}, "devDependencies": {"vite": "6"}}`,
			"index.html":     "",
			"vite.config.js": "export default { build: { outDir: 'target/classes/static' } }\n",
		}),
		want: []presets.Detection{{Preset: presets.PresetMaven, Maven: &presets.MavenOptions{Jar: "shop-1.0.jar"}},
			{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{PackageManager: presets.Npm, Lockfile: "package-lock.json", OutputDir: "target/classes/static"}}},
		lastHint: "ranked after the Java build: its output target/classes/static/ is in the build directory of pom.xml",
	}, {
		name: "workspace-member-into-gradle-build",
		reason: "an npm workspace member whose vite build writes into the build/ directory of the root's build.gradle.kts, which runs it " +
			"(node-gradle): no Node.js detection",
		files: map[string]string{
			"build.gradle.kts":      "plugins {\n  id(\"org.springframework.boot\") version \"3.4.1\"\n  id(\"com.github.node-gradle.node\") version \"7.1.0\"\n}\n",
			"package.json":          `{"private": true, "workspaces": ["webapp"]}`,
			"package-lock.json":     "{}",
			"webapp/package.json":   `{"name": "webapp", "scripts": {"build": "vite build"}, "devDependencies": {"vite": "6"}}`,
			"webapp/index.html":     "",
			"webapp/vite.config.ts": "export default defineConfig({ build: { outDir: '../build/resources/main/static' } })\n",
		},
	}, {
		name: "start-runs-dev-server-and-watcher",
		reason: "a start script that runs a webpack dev server and a style watcher in parallel (npm-run-all), with npm's default main " +
			"and no index.js: the static site only, no server",
		files: with(lock, map[string]string{
			"package.json": `{"main": "index.js", "scripts": {"build": "webpack", "start": "npm-run-all --parallel watch:css webpack-dev-server",
				"watch:css": "sass --watch styles:public/css", "webpack-dev-server": "webpack-dev-server"},
				"devDependencies": {"webpack": "5", "webpack-dev-server": "5", "npm-run-all": "4", "sass": "1"}}`,
		}),
		want: []presets.Detection{{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{PackageManager: presets.Npm,
			Lockfile: "package-lock.json", OutputDir: "dist"}}},
	}, {
		name: "start-runs-dev-servers-through-members",
		reason: "a start script that runs, with concurrently, a watch script of a pnpm workspace member (pnpm --filter), a script in watch mode " +
			"(pnpm run build:lib --watch) and webpack serve: no server",
		files: map[string]string{
			"package.json": `{"scripts": {"build": "webpack", "start": "concurrently -n lib,app \"pnpm --filter @acme/lib watch\" \"pnpm:css\" \"webpack serve --hot\"",
				"css": "pnpm run build:css --watch", "build:css": "postcss in.css -o out.css"}, "dependencies": {"@acme/lib": "workspace:*"},
				"devDependencies": {"webpack": "5", "concurrently": "9"}}`,
			"pnpm-lock.yaml": "lockfileVersion: '9.0'\n", "pnpm-workspace.yaml": "packages:\n  - lib\n",
			"lib/package.json": `{"name": "@acme/lib", "main": "dist/index.js", "scripts": {"build": "tsc", "watch": "tsc -w"}}`,
		},
		want: []presets.Detection{{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{PackageManager: presets.Pnpm, PackageManagerVersion: "9",
			Lockfile: "pnpm-lock.yaml", InstallFiles: []string{"pnpm-workspace.yaml", "lib/package.json"}, OutputDir: "dist"}}},
	}, {
		name:   "start-runs-server-beside-watcher",
		reason: "a start script that runs node server.js beside a dev server (run-p): a production server all the same",
		files: with(lock, map[string]string{
			"package.json": `{"scripts": {"start": "run-p api dev", "api": "node server.js", "dev": "vite"}, "devDependencies": {"npm-run-all": "4"}}`,
			"server.js":    "",
		}),
		want: []presets.Detection{{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Npm,
			Lockfile: "package-lock.json", DevDependencies: true}}},
	}, {
		name: "webpack-front-end-of-flask",
		reason: "a Flask application whose front end webpack builds into client/dist, as a constant of webpack.config.js says, " +
			"with a dev-server start script: the Python application first, then the static site, whose reason says why",
		files: with(lock, map[string]string{
			"requirements.txt": "Flask\ngunicorn\n",
			".flaskenv":        "FLASK_APP=board.py\n",
			"board.py":         "from flask import Flask\napp = Flask(__name__, static_folder='client/dist')\n",
			"package.json": `{"main": "index.js", "scripts": {"build": "npm run clean && webpack", "clean": "rm -rf client/dist", "start": "webpack serve"},
				"dependencies": {"react": "18"}, "devDependencies": {"webpack": "5", "webpack-cli": "5"}}`,
			"webpack.config.js": "const path = require('path');\nconst clientDir = path.join(__dirname, 'client'); // sources and output\n" +
				"module.exports = {\n  entry: './client/app/index.js',\n  output: {\n    filename: '[name].[contenthash].js',\n    path: path.join(clientDir, './dist'),\n  },\n" +
				"  devServer: { static: { directory: path.join(__dirname, 'public') } },\n};\n",
		}),
		want: []presets.Detection{{Preset: presets.PresetPython, Python: &presets.PythonOptions{Cmd: []string{"gunicorn", "--bind", "0.0.0.0:8000", "board:app"}, Port: 8000}},
			{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{PackageManager: presets.Npm, Lockfile: "package-lock.json", OutputDir: "client/dist"}}},
		lastHint: "ranked after the Python application (python) of the same directory: its output client/dist/",
	}, {
		name:   "webpack-output-resolve",
		reason: "webpack.config.cjs sets output.path with path.resolve of __dirname and two literals",
		files: with(lock, map[string]string{"package.json": `{"scripts": {"build": "webpack --mode production"}, "devDependencies": {"webpack": "5", "webpack-cli": "5"}}`,
			"webpack.config.cjs": "const { resolve } = require('path')\nmodule.exports = [{\n  output: { path: resolve(__dirname, \"static\", 'bundles') }\n}]\n"}),
		want: []presets.Detection{{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{PackageManager: presets.Npm,
			Lockfile: "package-lock.json", OutputDir: "static/bundles"}}},
		hint: "webpack writes static/bundles/ (output.path of webpack.config.cjs)",
	}, {
		name:   "webpack-output-concatenated",
		reason: "webpack.config.mjs sets output.path as __dirname + a literal",
		files: with(lock, map[string]string{"package.json": `{"scripts": {"build": "webpack --mode production"}, "devDependencies": {"webpack": "5", "webpack-cli": "5"}}`,
			"webpack.config.mjs": "export default {\n  output: { filename: 'app.js', path: __dirname + \"/public/build\" },\n}\n"}),
		want: []presets.Detection{{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{PackageManager: presets.Npm,
			Lockfile: "package-lock.json", OutputDir: "public/build"}}},
		hint: "webpack writes public/build/",
	}, {
		name:   "webpack-config-flag-literal",
		reason: "the build script names its configuration with --config, which sets output.path to a string literal",
		files: with(lock, map[string]string{
			"package.json":           `{"scripts": {"build": "webpack --config config/webpack.prod.js"}, "devDependencies": {"webpack": "5"}}`,
			"webpack.config.js":      "module.exports = { output: { path: require('path').join(__dirname, 'dev') } }\n",
			"config/webpack.prod.js": "module.exports = { mode: 'production', output: { path: 'www' } }\n"}),
		want: []presets.Detection{{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{PackageManager: presets.Npm,
			Lockfile: "package-lock.json", OutputDir: "www"}}},
		hint: "output.path of config/webpack.prod.js",
	}, {
		name:   "webpack-output-computed",
		reason: "an output.path Detect cannot evaluate: dist/ is assumed and the reason says so",
		files: with(lock, map[string]string{"package.json": `{"scripts": {"build": "webpack --mode production"}, "devDependencies": {"webpack": "5", "webpack-cli": "5"}}`,
			"webpack.config.js": "const out = () => process.env.OUT\nmodule.exports = { output: { path: out() } }\n"}),
		want: []presets.Detection{{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{PackageManager: presets.Npm,
			Lockfile: "package-lock.json", OutputDir: "dist"}}},
		hint: "output.path, out(), is not a form Detect evaluates; set OutputDir",
	}, {
		name:   "npm-workspace-member",
		reason: "Detect on a member of an npm workspace with turbo: the root is the context, the member is built with turbo, the lib it depends on is built first and copied",
		files: map[string]string{
			"package.json":      `{"name": "root", "private": true, "workspaces": ["apps/*", "packages/*"], "scripts": {"build": "turbo run build"}, "devDependencies": {"turbo": "2"}}`,
			"package-lock.json": "{}", "turbo.json": "{}", ".nvmrc": "22\n",
			"apps/web/package.json":    `{"name": "web", "scripts": {"build": "vite build"}, "dependencies": {"@acme/ui": "*", "react": "18"}, "devDependencies": {"vite": "5"}}`,
			"packages/ui/package.json": `{"name": "@acme/ui", "main": "dist/index.js", "scripts": {"build": "tsc"}}`,
		},
		dir:     "apps/web",
		context: ".",
		want: []presets.Detection{{Preset: presets.PresetNodeStatic, NodeStatic: &presets.NodeStaticOptions{Version: "22", PackageManager: presets.Npm,
			Lockfile: "package-lock.json", InstallFiles: []string{"apps/*/package.json", "packages/*/package.json"},
			Workspace: "apps/web", WorkspaceDeps: []string{"packages/ui"}, Turbo: true, OutputDir: "dist"}}},
	}, {
		name:   "yarn1-workspace-root",
		reason: "Detect on the root of a Yarn 1 workspace: one detection per application member; libraries and the root's delegating scripts are none",
		files: map[string]string{
			"package.json":                 `{"private": true, "workspaces": {"packages": ["services/*", "libs/*"]}, "scripts": {"build": "yarn workspaces run build"}}`,
			"yarn.lock":                    "# yarn lockfile v1\n",
			"services/api/package.json":    `{"name": "api", "scripts": {"start": "node index.js"}, "dependencies": {"shared": "1.0.0"}}`,
			"services/worker/package.json": `{"name": "worker", "main": "worker.js"}`,
			"libs/shared/package.json":     `{"name": "shared", "version": "1.0.0", "main": "index.js"}`,
		},
		want: []presets.Detection{
			{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Yarn, Lockfile: "yarn.lock",
				InstallFiles: []string{"services/*/package.json", "libs/*/package.json"}, Workspace: "services/api", Entry: "index.js"}},
			{Preset: presets.PresetNodeServer, NodeServer: &presets.NodeServerOptions{PackageManager: presets.Yarn, Lockfile: "yarn.lock",
				InstallFiles: []string{"services/*/package.json", "libs/*/package.json"}, Workspace: "services/worker", Entry: "worker.js"}},
		},
		hint: "the workspace's applications are services/api, services/worker",
	}}
	for _, tt := range tests {
		if tt.reason == "" {
			panic("reason must be provided: " + tt.name)
		}
		t.Run(tt.name, func(t *testing.T) {
			root := writeTree(t, tt.files)
			got, err := presets.Detect(filepath.Join(root, filepath.FromSlash(tt.dir)))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(presets.Detection{}, "Reason", "Context"), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("Detect (-want +got):\n%s", d)
			}
			for _, d := range got {
				t.Logf("%s: %s", d.Preset, d.Reason)
				if tt.context != "" {
					if rel, _ := filepath.Rel(root, d.Context); filepath.ToSlash(rel) != tt.context {
						t.Errorf("Context = %q, want %q of the root", d.Context, tt.context)
					}
				}
				if _, err := d.Build().Dockerfile(); err != nil {
					t.Errorf("%s: Build().Dockerfile(): %v", d.Preset, err)
				}
			}
			if tt.hint != "" && (len(got) == 0 || !strings.Contains(got[0].Reason, tt.hint)) {
				t.Errorf("first reason does not contain %q", tt.hint)
			}
			if tt.lastHint != "" && (len(got) == 0 || !strings.Contains(got[len(got)-1].Reason, tt.lastHint)) {
				t.Errorf("last reason does not contain %q", tt.lastHint)
			}
		})
	}
}
