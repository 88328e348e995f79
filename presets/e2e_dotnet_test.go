package presets_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/testenv"
	"github.com/multistage/multistage/presets"
)

// TestEndToEndDotNetSolutionNotFound: NuGet and Microsoft's registry are
// unreachable from the test engine, so the build of the solution fixture
// as Detect chose it (the SDK of global.json, the API project) fails
// cleanly, before anything runs, naming the .NET image (SDK or ASP.NET
// Core runtime, whichever the engine resolves first) it could not find.
func TestEndToEndDotNetSolutionNotFound(t *testing.T) {
	c := testenv.Client(t)
	found, err := presets.Detect(filepath.Join(projectsDir, "dotnet-sln", "src", "Shop.Api"))
	if err != nil {
		t.Fatal(err)
	}
	d := found[0]
	_, err = d.Build().Solve(context.Background(), c, multistage.ContextDir(d.Context))
	if err == nil || !strings.Contains(err.Error(), "not found") || !strings.Contains(err.Error(), "mcr.microsoft.com/dotnet/") || !strings.Contains(err.Error(), ":9.0") {
		t.Fatalf("Solve of the solution fixture: err = %v, want a .NET 9.0 image not found", err)
	}
}
