// Command hello is the sample service of the Go pipelines: it answers HTTP
// requests on :8080, and with -selftest it answers one request to itself and
// exits.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"runtime"
)

const message = "hello from go"

func handler(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "%s (%s)\n", message, runtime.Version())
}

func main() {
	selftest := flag.Bool("selftest", false, "serve one request to itself and exit")
	addr := flag.String("addr", ":8080", "listen address")
	flag.Parse()
	if *selftest {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		go http.Serve(ln, http.HandlerFunc(handler))
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		fmt.Printf("%d %s", resp.StatusCode, body)
		return
	}
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(handler)))
}
