package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// reading is the time in one zone.
type reading struct {
	Zone   string `json:"zone"`
	Time   string `json:"time"`
	Offset string `json:"offset"`
}

// newMux wires the routes. zones are the clock's configured zones; now is the clock itself
// (time.Now in production, a fixed instant in tests).
func newMux(zones []string, now func() time.Time) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		// Healthy only when every configured zone can be loaded: a missing zoneinfo
		// database makes the service useless, so it must not report itself healthy.
		for _, z := range zones {
			if _, err := time.LoadLocation(z); err != nil {
				http.Error(w, fmt.Sprintf("cannot load time zone %q: %v", z, err), http.StatusServiceUnavailable)
				return
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /time", func(w http.ResponseWriter, r *http.Request) {
		names := zones
		if z := r.URL.Query().Get("zone"); z != "" {
			names = []string{z}
		}
		out := make([]reading, 0, len(names))
		for _, z := range names {
			rd, err := readingIn(z, now())
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			out = append(out, rd)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	return mux
}

// readingIn converts an instant to the wall-clock time of a named zone.
func readingIn(zone string, t time.Time) (reading, error) {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return reading{}, fmt.Errorf("unknown time zone %q: %w", zone, err)
	}
	local := t.In(loc)
	return reading{Zone: zone, Time: local.Format("2006-01-02 15:04"), Offset: local.Format("-07:00")}, nil
}
