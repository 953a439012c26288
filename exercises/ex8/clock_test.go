package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

var instant = time.Date(2026, time.January, 15, 12, 0, 0, 0, time.UTC)

func fixed() time.Time { return instant }

func TestReadingIn(t *testing.T) {
	cases := map[string]reading{
		"UTC":              {Zone: "UTC", Time: "2026-01-15 12:00", Offset: "+00:00"},
		"Asia/Tokyo":       {Zone: "Asia/Tokyo", Time: "2026-01-15 21:00", Offset: "+09:00"},
		"America/New_York": {Zone: "America/New_York", Time: "2026-01-15 07:00", Offset: "-05:00"},
	}
	for zone, want := range cases {
		got, err := readingIn(zone, instant)
		if err != nil || got != want {
			t.Errorf("readingIn(%q) = %+v, %v; want %+v", zone, got, err, want)
		}
	}
	if _, err := readingIn("Mars/Olympus_Mons", instant); err == nil {
		t.Error("an unknown zone must be an error")
	}
}

func TestRoutes(t *testing.T) {
	srv := httptest.NewServer(newMux([]string{"UTC", "Europe/Paris"}, fixed))
	defer srv.Close()

	res, err := http.Get(srv.URL + "/healthz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: %v %v", res, err)
	}

	res, err = http.Get(srv.URL + "/time?zone=Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got []reading
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Time != "2026-01-15 13:00" {
		t.Errorf("GET /time?zone=Europe/Paris = %+v", got)
	}

	res, err = http.Get(srv.URL + "/time?zone=Nowhere/Special")
	if err != nil || res.StatusCode != http.StatusBadRequest {
		t.Errorf("GET /time with an unknown zone: %v %v, want 400", res, err)
	}
}

func TestHealthFailsWithoutZoneinfo(t *testing.T) {
	srv := httptest.NewServer(newMux([]string{"No/Such_Zone"}, fixed))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/healthz")
	if err != nil || res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("GET /healthz with a zone that cannot load: %v %v, want 503", res, err)
	}
}
