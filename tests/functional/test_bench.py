"""The benchmark's quick run, once, as a smoke test: it runs and reports every figure.
(No timing is asserted here: figures belong to bench/run.py's output, not to tests.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEYS = {
    "startup_ratio",
    "first_load_10k_s",
    "first_load_ratio_vs_datatable",
    "tick_ms_10k",
    "tick_ratio_vs_datatable",
    "bytes_ratio_10k",
    "requests_per_tick",
    "idle_cpu_pct",
    "rss_10k_mb",
    "rss_100k_mb",
    "rate_limit_share",
}


def test_bench_quick_reports_every_figure(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout)
    assert set(figures) >= KEYS
    assert set(figures["requests_per_tick"]) == {"1000", "10000", "100000"}
    assert all(isinstance(figures[k], float | int) for k in KEYS - {"requests_per_tick"})
    assert isinstance(figures["startup_floor_ratio"], float)  # the design card's own floor
    assert not list(scratch.glob("ccmon-bench-*")), "the benchmark left its journals behind"
