package lifecycle

// lines is the table: every release line of the toolchains the presets
// build with, oldest first within a toolchain, with the dates of the
// projects' own published schedules. An EOL that a project gives only as a
// month is the first day of that month; one it has not dated yet is the
// expected date, marked Estimated. Update it when a project publishes a
// new line or moves a date: TestDefaultVersions in presets fails when a
// preset default comes within a month of its EOL.
var lines = []Line{
	// Go: "Each major Go release is supported until there are two newer
	// major releases" (https://go.dev/doc/devel/release#policy); a line's
	// EOL is the release of the line two newer. Releases come in February
	// and August; the EOL of the two newest lines is the expected month.
	go_("1.18", "2022-03-15", "2023-02-01"),
	go_("1.19", "2022-08-02", "2023-08-08"),
	go_("1.20", "2023-02-01", "2024-02-06"),
	go_("1.21", "2023-08-08", "2024-08-13"),
	go_("1.22", "2024-02-06", "2025-02-11"),
	go_("1.23", "2024-08-13", "2025-08-12"),
	go_("1.24", "2025-02-11", "2026-02-10"),
	go_("1.25", "2025-08-12", "2026-08-19"),
	estimated(go_("1.26", "2026-02-10", "2027-02-01")), // until Go 1.28, February 2027
	estimated(go_("1.27", "2026-08-19", "2027-08-01")), // until Go 1.29, August 2027

	// Node.js: https://github.com/nodejs/Release/blob/main/schedule.json
	// ("start", "lts" and "end"). Even lines become LTS six months after
	// their release; from Node.js 27 on every line does, one a year
	// (nodejs/Release#1113), on a date the schedule does not give yet.
	node("10", "2018-04-24", "2018-10-30", "2021-04-30"),
	node("11", "2018-10-23", "", "2019-06-01"),
	node("12", "2019-04-23", "2019-10-21", "2022-04-30"),
	node("13", "2019-10-22", "", "2020-06-01"),
	node("14", "2020-04-21", "2020-10-27", "2023-04-30"),
	node("15", "2020-10-20", "", "2021-06-01"),
	node("16", "2021-04-20", "2021-10-26", "2023-09-11"),
	node("17", "2021-10-19", "", "2022-06-01"),
	node("18", "2022-04-19", "2022-10-25", "2025-04-30"),
	node("19", "2022-10-18", "", "2023-06-01"),
	node("20", "2023-04-18", "2023-10-24", "2026-04-30"),
	node("21", "2023-10-17", "", "2024-06-01"),
	node("22", "2024-04-24", "2024-10-29", "2027-04-30"),
	node("23", "2024-10-16", "", "2025-06-01"),
	node("24", "2025-05-06", "2025-10-28", "2028-04-30"),
	node("25", "2025-10-15", "", "2026-06-01"),
	node("26", "2026-05-05", "2026-10-28", "2029-04-30"),
	node("27", "2027-04-22", "", "2030-04-30"),

	// Python: the "end-of-life" of each branch in
	// https://github.com/python/peps/blob/main/release_management/python-releases.toml,
	// shown on https://devguide.python.org/versions/ (five years per
	// line, PEP 602).
	python("3.6", "2016-12-23", "2021-12-23"),
	python("3.7", "2018-06-27", "2023-06-27"),
	python("3.8", "2019-10-14", "2024-10-07"),
	python("3.9", "2020-10-05", "2025-10-31"),
	python("3.10", "2021-10-04", "2026-10-01"),
	python("3.11", "2022-10-24", "2027-10-01"),
	python("3.12", "2023-10-02", "2028-10-01"),
	python("3.13", "2024-10-07", "2029-10-01"),
	python("3.14", "2025-10-07", "2030-10-01"),
	python("3.15", "2026-10-01", "2031-10-01"),

	// .NET: the "eol-date" of each channel in
	// https://github.com/dotnet/core/blob/main/release-notes/releases-index.json;
	// policy https://dotnet.microsoft.com/platform/support/policy/dotnet-core
	// (LTS three years, STS two, ending on a Patch Tuesday).
	dotnet("2.1", "2018-05-30", "2021-08-21", lts),
	dotnet("3.1", "2019-12-03", "2022-12-13", lts),
	dotnet("5.0", "2020-11-10", "2022-05-10", current),
	dotnet("6.0", "2021-11-08", "2024-11-12", lts),
	dotnet("7.0", "2022-11-08", "2024-05-14", current),
	dotnet("8.0", "2023-11-14", "2026-11-10", lts),
	dotnet("9.0", "2024-11-12", "2026-11-10", current),
	dotnet("10.0", "2025-11-11", "2028-11-14", lts),
	estimated(dotnet("11.0", "2026-11-10", "2028-11-14", current)), // STS: two years

	// Java, as Eclipse Temurin builds it: "End of Availability" on
	// https://adoptium.net/support/ (months; "at least" for the LTS lines).
	java("8", "2014-03-01", "2030-12-01", lts),
	java("11", "2018-09-01", "2027-10-01", lts),
	java("17", "2021-09-01", "2027-10-01", lts),
	java("21", "2023-09-01", "2029-12-01", lts),
	java("22", "2024-03-01", "2024-09-01", current),
	java("23", "2024-09-01", "2025-03-01", current),
	java("24", "2025-03-01", "2025-09-01", current),
	java("25", "2025-09-01", "2031-09-01", lts),
	java("26", "2026-03-01", "2026-09-01", current),
	java("27", "2026-09-01", "2027-03-01", current),
}

const (
	lts     = true
	current = false
)

const (
	goSource     = "https://go.dev/doc/devel/release#policy"
	nodeSource   = "https://github.com/nodejs/Release#release-schedule"
	pythonSource = "https://devguide.python.org/versions/"
	dotnetSource = "https://dotnet.microsoft.com/platform/support/policy/dotnet-core"
	javaSource   = "https://adoptium.net/support/"
)

func go_(v, released, eol string) Line {
	return Line{Toolchain: Go, Version: v, Released: day(released), EOL: day(eol), Source: goSource}
}

// node makes a Node.js line; ltsFrom is "" for a line that is not LTS.
func node(v, released, ltsFrom, eol string) Line {
	l := Line{Toolchain: Node, Version: v, Released: day(released), EOL: day(eol), Source: nodeSource}
	if ltsFrom != "" {
		l.LTS, l.LTSFrom = true, day(ltsFrom)
	}
	return l
}

func python(v, released, eol string) Line {
	return Line{Toolchain: Python, Version: v, Released: day(released), EOL: day(eol), Source: pythonSource}
}

func dotnet(v, released, eol string, lts bool) Line {
	return Line{Toolchain: DotNet, Version: v, Released: day(released), EOL: day(eol), LTS: lts, Source: dotnetSource}
}

func java(v, released, eol string, lts bool) Line {
	return Line{Toolchain: Java, Version: v, Released: day(released), EOL: day(eol), LTS: lts, Source: javaSource}
}

func estimated(l Line) Line {
	l.Estimated = true
	return l
}
