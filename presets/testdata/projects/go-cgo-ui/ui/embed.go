// Package ui holds the web page, built by Node.js into dist/ (npm run
// build) before the Go build embeds it.
package ui

import "embed"

// Dist is the built page: dist/index.html and dist/assets/.
//
//go:embed all:dist
var Dist embed.FS
