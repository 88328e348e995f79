package presets

// NewestPythonForTest exposes newestPython to the external tests.
func NewestPythonForTest(spec string) string {
	v, _ := newestPython(spec)
	return v
}
