"""backup-exporter: Prometheus metrics about a folder of backups.

Serves `GET /metrics` (Prometheus text format) and `GET /healthz` on port 9100. Every scrape
looks at BACKUP_DIR (default /backups) afresh: how many backup files there are, how many bytes
they take, and how old the newest one is, so an alert can fire when backups stop arriving.

Like many small services it has no signal handling of its own: it runs until it is killed.
"""

import os
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import CollectorRegistry, GaugeMetricFamily


@dataclass(frozen=True)
class Snapshot:
    files: int
    bytes: int
    newest_age_seconds: float | None  # None when there is no backup at all


def snapshot(folder: Path, now: float | None = None) -> Snapshot:
    """Counts the regular files directly in `folder` (a missing folder holds none)."""
    now = time.time() if now is None else now
    files, total, newest = 0, 0, None
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        entries = []
    for entry in entries:
        if not entry.is_file(follow_symlinks=False) or entry.name.startswith("."):
            continue
        st = entry.stat(follow_symlinks=False)
        files += 1
        total += st.st_size
        newest = st.st_mtime if newest is None else max(newest, st.st_mtime)
    return Snapshot(files, total, None if newest is None else max(0.0, now - newest))


class BackupCollector:
    """A Prometheus collector that takes a snapshot on every scrape."""

    def __init__(self, folder: Path):
        self.folder = folder

    def collect(self):
        s = snapshot(self.folder)
        labels = [str(self.folder)]
        count = GaugeMetricFamily("backup_files", "Backup files in the folder", labels=["folder"])
        count.add_metric(labels, s.files)
        size = GaugeMetricFamily("backup_bytes", "Bytes taken by the backup files", labels=["folder"])
        size.add_metric(labels, s.bytes)
        age = GaugeMetricFamily(
            "backup_newest_age_seconds",
            "Age of the newest backup file (+Inf when there is none)",
            labels=["folder"],
        )
        age.add_metric(labels, float("inf") if s.newest_age_seconds is None else s.newest_age_seconds)
        yield from (count, size, age)


def make_handler(registry: CollectorRegistry):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/metrics":
                self._send(200, CONTENT_TYPE_LATEST, generate_latest(registry))
            elif self.path == "/healthz":
                self._send(200, "text/plain; charset=utf-8", b"ok\n")
            else:
                self._send(404, "text/plain; charset=utf-8", b"not found\n")

        def _send(self, status: int, content_type: str, body: bytes):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):  # one line per request on stdout
            print(f"{self.address_string()} {fmt % args}", flush=True)

    return Handler


def main():
    folder = Path(os.environ.get("BACKUP_DIR", "/backups"))
    port = int(os.environ.get("PORT", "9100"))
    registry = CollectorRegistry()
    registry.register(BackupCollector(folder))
    server = ThreadingHTTPServer(("0.0.0.0", port), make_handler(registry))
    print(f"backup-exporter watching {folder}, listening on {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
