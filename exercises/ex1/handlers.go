package main

import (
	"encoding/json"
	"net/http"
	"strings"
)

// newMux wires the service's routes.
func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", health)
	mux.HandleFunc("GET /hello", hello)
	return mux
}

// health answers 200 while the process can serve requests.
func health(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// hello greets ?name=..., or the world.
func hello(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"greeting": greeting(r.URL.Query().Get("name"))})
}

// greeting builds the greeting for a name; blank names greet the world.
func greeting(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "world"
	}
	return "Hello, " + name + "!"
}
