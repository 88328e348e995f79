// Package shared is the code the shop's services share.
package shared

import "fmt"

// Greeting is what the services answer on /.
func Greeting(service string) string {
	return fmt.Sprintf("hello from the shop's %s service", service)
}
