// Package handler routes the API's requests.
package handler

import (
	"net/http"

	"example.com/shop/shared"
	"github.com/go-chi/chi/v5"
)

// New returns the API's router.
func New() http.Handler {
	r := chi.NewRouter()
	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(shared.Greeting("api") + "\n"))
	})
	r.Get("/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("item " + chi.URLParam(r, "id") + "\n"))
	})
	return r
}
