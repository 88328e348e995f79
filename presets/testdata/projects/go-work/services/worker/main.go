// Command worker processes the shop's background jobs.
package main

import (
	"log"
	"time"

	"example.com/shop/shared"
)

func main() {
	log.Print(shared.Greeting("worker"))
	for range time.Tick(time.Minute) {
		log.Print("no jobs")
	}
}
