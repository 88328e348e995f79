// Command hello is the fixture app of the multistage command's tests.
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	fmt.Printf("hello from the multistage command line, %s/%s, uid %d\n", runtime.GOOS, runtime.GOARCH, os.Getuid())
}
