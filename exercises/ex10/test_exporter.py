"""Unit tests: `python -m unittest` (no test framework to install)."""

import os
import tempfile
import threading
import unittest
import urllib.request
from http.server import ThreadingHTTPServer
from pathlib import Path

from prometheus_client.core import CollectorRegistry

from exporter import BackupCollector, make_handler, snapshot


class SnapshotTest(unittest.TestCase):
    def test_counts_files_and_finds_the_newest(self):
        with tempfile.TemporaryDirectory() as d:
            for name, size, mtime in [("a.tar", 100, 1_000), ("b.tar", 50, 4_000), (".partial", 9, 5_000)]:
                p = Path(d, name)
                p.write_bytes(b"x" * size)
                os.utime(p, (mtime, mtime))
            Path(d, "subdir").mkdir()
            s = snapshot(Path(d), now=5_000)
            self.assertEqual((s.files, s.bytes, s.newest_age_seconds), (2, 150, 1_000))

    def test_a_missing_folder_has_no_backups(self):
        s = snapshot(Path("/nonexistent/backups"), now=0)
        self.assertEqual((s.files, s.bytes, s.newest_age_seconds), (0, 0, None))


class HttpTest(unittest.TestCase):
    def test_metrics_and_health(self):
        with tempfile.TemporaryDirectory() as d:
            Path(d, "db.dump").write_bytes(b"x" * 42)
            registry = CollectorRegistry()
            registry.register(BackupCollector(Path(d)))
            server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(registry))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.addCleanup(server.server_close)
            self.addCleanup(server.shutdown)
            base = f"http://127.0.0.1:{server.server_address[1]}"
            with urllib.request.urlopen(f"{base}/healthz") as r:
                self.assertEqual(r.read(), b"ok\n")
            with urllib.request.urlopen(f"{base}/metrics") as r:
                text = r.read().decode()
            self.assertIn(f'backup_files{{folder="{d}"}} 1.0', text)
            self.assertIn(f'backup_bytes{{folder="{d}"}} 42.0', text)
            self.assertIn("backup_newest_age_seconds", text)


if __name__ == "__main__":
    unittest.main()
