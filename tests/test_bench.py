"""The benchmark reads wrk's report correctly (req/s, p50/p99 in any unit, errors) and
judges each line against its target."""

from __future__ import annotations

import json

from bench.__main__ import _LAT, _UNIT_MS, _ok, report

WRK_OUT = """Running 5s test @ http://127.0.0.1:40000
  2 threads and 16 connections
  Latency Distribution
     50%    9.21ms
     75%   11.02ms
     90%   14.50ms
     99%    1.20s
  7790 requests in 5.00s, 301.2MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:   1558.02
"""


def test_latencies_are_read_in_milliseconds():
    lat = {pct: float(v) * _UNIT_MS[u] for pct, v, u in _LAT.findall(WRK_OUT)}
    assert lat == {"50": 9.21, "99": 1200.0}


def test_targets_and_the_report(tmp_path, capsys):
    assert _ok(10.0, ("<=", 50.0)) and not _ok(60.0, ("<=", 50.0))
    assert _ok(800.0, (">=", 738.0)) and not _ok(None, (">=", 1.0))
    results = {"lines": {
        "static file": {"rps": 1476.0, "p50_ms": 9.9, "p99_ms": 41.2},
        "home": {"rps": 1558.0, "p50_ms": 9.2, "p99_ms": 22.5, "non_2xx": 0, "timeouts": 0,
                 "targets": {"rps": (">=", 738.0), "p99_ms": ("<=", 50.0)}},
        "search": {"rps": 14.3, "p50_ms": 994.9, "p99_ms": 1560.0, "non_2xx": 4,
                   "timeouts": 0, "targets": {"p50_ms": ("<=", 100.0)}},
        "monitor month run (s)": {"value": 0.24, "target": ("<=", 1.0), "statements": 29},
    }}
    assert report(results, tmp_path) == 1  # search missed its target
    printed = capsys.readouterr().out
    assert "rps >= 738 ok" in printed and "p50_ms <= 100 MISSED, 4 errors" in printed
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["lines"]["home"]["pass"] is True and saved["lines"]["search"]["pass"] is False
