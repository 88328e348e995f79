// Command hello is the sample application of the Go preset: an HTTP server
// with no dependencies outside the standard library.
//
//	hello              serve on :$PORT (default 8080)
//	hello -selftest    serve on a free loopback port, GET / once, print the answer, exit 0 or 1
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
)

// greeting is the line the benchmarks edit for a warm rebuild.
const greeting = "hello from the go preset"

func handler(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "%s (%s %s/%s, uid %d)\n", greeting, runtime.Version(), runtime.GOOS, runtime.GOARCH, os.Getuid())
}

func main() {
	selftest := flag.Bool("selftest", false, "serve on a free loopback port, request / once and exit")
	flag.Parse()
	mux := http.NewServeMux()
	mux.HandleFunc("/", handler)
	if *selftest {
		os.Exit(selfTest(mux))
	}
	addr := ":" + envOr("PORT", "8080")
	log.Printf("listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, mux))
}

func selfTest(h http.Handler) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Print(err)
		return 1
	}
	go http.Serve(ln, h)
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		log.Print(err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Printf("selftest: %d %s", resp.StatusCode, body)
	if resp.StatusCode != http.StatusOK {
		return 1
	}
	return 0
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
