"""The soak in CI: `bench/soak.py --minutes 1` in a subprocess (the full run is 30)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_one_minute_soak_passes() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "soak.py"), "--minutes", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    report = done.stdout + done.stderr
    print(report)
    assert done.returncode == 0, report
    for figure in ("crashes: 0", "rss: start", "tasks: start", "workers: start"):
        assert figure in report, report
    assert "over-limit requests: 0" in report and "result: PASS" in report
