// Package greet makes greetings.
package greet

// Hello greets name, or the world.
func Hello(name string) string {
	if name == "" {
		name = "world"
	}
	return "hello, " + name
}
