// Command api serves the shop's HTTP API.
package main

import (
	"flag"
	"log"
	"net/http"

	"example.com/shop/api/internal/handler"
)

func main() {
	addr := flag.String("addr", ":8081", "address to listen on")
	flag.Parse()
	log.Printf("api listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, handler.New()))
}
