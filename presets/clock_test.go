package presets

import "time"

// The tests read Detect's end-of-life notes as of the day the defaults
// were chosen, so that a golden reason does not change on the day a line
// the fixture pins ends. TestDefaultVersions reads the real clock: it is
// the test that must fail when the defaults age.
func init() {
	now = func() time.Time { return time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC) }
}
