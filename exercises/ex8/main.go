// Command worldclock is a tiny HTTP service that tells the time in the world's time zones.
// It uses only Go's standard library, so it builds without reaching a module proxy.
//
// It reads time zones from the operating system's zoneinfo database (/usr/share/zoneinfo),
// like most programs do: an image without that database cannot answer.
package main

import (
	"log"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	addr := ":" + envOr("PORT", "8080")
	zones := strings.Split(envOr("CLOCK_ZONES", "UTC,Europe/Paris,America/New_York,Asia/Tokyo"), ",")
	srv := &http.Server{
		Addr:              addr,
		Handler:           newMux(zones, time.Now),
		ReadHeaderTimeout: 5 * time.Second,
	}
	log.Printf("worldclock listening on %s (zones: %s)", addr, strings.Join(zones, ", "))
	if err := srv.ListenAndServe(); err != nil {
		log.Fatal(err)
	}
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
