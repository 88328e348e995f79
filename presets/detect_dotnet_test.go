package presets_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/multistage/multistage/presets"
)

// TestProjectsDotNet runs Detect on the .NET fixture applications.
func TestProjectsDotNet(t *testing.T) {
	checkProjects(t, []projectCase{
		{"dotnet-sln", "a solution with two web projects, a class library and a test project, an SDK pinned by global.json, the target framework in Directory.Build.props and central package versions; detected at the root and on one project", []string{".", "src/Shop.Api"}},
	})
}

// TestDetectDotNetProjects checks which projects of a solution Detect
// publishes, in which order, and what it reads for each.
func TestDetectDotNetProjects(t *testing.T) {
	const lib = `<Project Sdk="Microsoft.NET.Sdk"></Project>`
	tests := []struct {
		name  string
		files map[string]string
		want  []presets.DotNetOptions
	}{
		{"web before worker before console; tests and the Aspire host left out", map[string]string{
			"App.slnx": `<Solution><Folder Name="/src/"><Project Path="src/Console/Console.csproj" /><Project Path="src/Jobs/Jobs.csproj" />` +
				`<Project Path="src/Site/Site.csproj" /><Project Path="src/AppHost/AppHost.csproj" /></Folder><Project Path="test/Site.Tests/Site.Tests.csproj" /><Project Path="mobile/Phone/Phone.csproj" /></Solution>`,
			"src/Directory.Build.props":         `<Project><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>`,
			"src/Console/Console.csproj":        `<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><OutputType>Exe</OutputType></PropertyGroup></Project>`,
			"src/Jobs/Jobs.csproj":              `<Project Sdk="Microsoft.NET.Sdk.Worker"></Project>`,
			"src/Site/Site.csproj":              `<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net9.0</TargetFramework></PropertyGroup></Project>`,
			"src/AppHost/AppHost.csproj":        `<Project Sdk="Microsoft.NET.Sdk"><Sdk Name="Aspire.AppHost.Sdk" Version="9.0.0" /><PropertyGroup><OutputType>Exe</OutputType><IsAspireHost>true</IsAspireHost></PropertyGroup></Project>`,
			"test/Site.Tests/Site.Tests.csproj": `<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><OutputType>Exe</OutputType></PropertyGroup><ItemGroup><PackageReference Include="Microsoft.NET.Test.Sdk" /></ItemGroup></Project>`,
			"src/Lib/Lib.csproj":                lib,
			"mobile/Phone/Phone.csproj":         `<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFrameworks>net9.0-android;net9.0-ios</TargetFrameworks><OutputType>Exe</OutputType></PropertyGroup></Project>`,
		}, []presets.DotNetOptions{
			{Project: "src/Site/Site.csproj", Version: "9.0"},
			{Project: "src/Jobs/Jobs.csproj", Version: "8.0", Port: -1},
			{Project: "src/Console/Console.csproj", Version: "8.0", Port: -1},
		}},
		{"several target frameworks: the highest, published with -f", map[string]string{
			"Api.csproj": `<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFrameworks>net8.0;net10.0;net9.0</TargetFrameworks></PropertyGroup></Project>`,
		}, []presets.DotNetOptions{{Project: "Api.csproj", Version: "10.0", PublishArgs: []string{"-f", "net10.0"}}}},
		{"global.json with the default rollForward pins the exact SDK", map[string]string{
			"global.json": `{"sdk": {"version": "8.0.204"}}`,
			"Api.csproj":  webCsproj,
		}, []presets.DotNetOptions{{Project: "Api.csproj", Version: "9.0", SDKVersion: "8.0.204"}}},
		{"global.json with rollForward latestMajor takes the major.minor tag", map[string]string{
			"global.json": "{\n  // pinned\n  \"sdk\": {\"version\": \"9.0.100\", \"rollForward\": \"latestMajor\",},\n}",
			"Api.csproj":  `<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>`,
		}, []presets.DotNetOptions{{Project: "Api.csproj", Version: "8.0", SDKVersion: "9.0"}}},
		{"Urls in appsettings.json", map[string]string{
			"Api.csproj":       webCsproj,
			"appsettings.json": "{\n  /* where Kestrel listens */\n  \"Urls\": \"http://+:5005;https://+:5006\"\n}",
		}, []presets.DotNetOptions{{Project: "Api.csproj", Version: "9.0", Port: 5005}}},
		{"UseUrls in the code", map[string]string{
			"Api.csproj": webCsproj,
			"Program.cs": `var b = WebApplication.CreateBuilder(args); b.WebHost.UseUrls("http://0.0.0.0:6000");`,
		}, []presets.DotNetOptions{{Project: "Api.csproj", Version: "9.0", Port: 6000}}},
		{"ListenAnyIP in the code", map[string]string{
			"Api.csproj": webCsproj,
			"Program.cs": `builder.WebHost.ConfigureKestrel(o => o.ListenAnyIP(7070));`,
		}, []presets.DotNetOptions{{Project: "Api.csproj", Version: "9.0", Port: 7070}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			found, err := presets.Detect(writeTree(t, tt.files))
			if err != nil {
				t.Fatal(err)
			}
			var got []presets.DotNetOptions
			for _, d := range found {
				if d.DotNet != nil {
					got = append(got, *d.DotNet)
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("DotNet options (-want +got):\n%s", d)
				for _, d := range found {
					t.Log(d.Reason)
				}
			}
		})
	}
}

// TestDetectDotNetLaunchSettings: launchSettings.json is for "dotnet run"
// in development; Detect does not take its port, and says so.
func TestDetectDotNetLaunchSettings(t *testing.T) {
	found, err := presets.Detect(writeTree(t, map[string]string{
		"Api.csproj":                     webCsproj,
		"Properties/launchSettings.json": `{"profiles": {"http": {"applicationUrl": "http://localhost:5123"}}}`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if found[0].DotNet.Port != 0 || !strings.Contains(found[0].Reason, "http://localhost:5123 is for dotnet run in development") {
		t.Errorf("Port %d, reason %q; want the default port and the launch URL named as not read", found[0].DotNet.Port, found[0].Reason)
	}
}
