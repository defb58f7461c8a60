"""ccmon's benchmark: each figure measured beside its naive baseline, in the same run.

    python bench/run.py            # the full run (a few minutes)
    python bench/run.py --quick    # reduced sizes, under a minute
    python bench/run.py --json     # one JSON object with the figures

One line per figure: ``name: value unit (baseline: value unit, ratio)``. The simulator
runs with a fixed seed; where a figure needs ccmon alone in a process (start-up, idle
CPU, memory), ``ccmon sim`` serves the API from another process on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from _inproc import first_load, steady_ticks  # noqa: E402

KEY = "bench-key"
LIMIT_PER_MIN = 2000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def simulator(history: int, rate: float = 0.0) -> Iterator[str]:
    """``ccmon sim`` in another process; yields its URL."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ccmon",
            "sim",
            "--port",
            str(port),
            "--seed",
            "1",
            "--history",
            str(history),
            "--rate",
            str(rate),
            "--key",
            KEY,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def child(*args: str) -> tuple[float, dict[str, Any]]:
    """Run bench/_child.py; (wall seconds from spawn to its first populated frame, or to
    its exit if it reports none; its JSON).

    Bytecode is cached as on any machine (``PYTHONDONTWRITEBYTECODE`` is dropped): else
    ccmon, run from a checkout, would compile every module on every start while the
    installed Textual of the bare app loads its compiled bytecode."""
    env = dict(os.environ, CCMON_BENCH_KEY=KEY)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.time()
    out = subprocess.run(
        [sys.executable, str(HERE / "_child.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    return figures.get("painted_at", time.time()) - start, figures


def startup(repeats: int) -> dict[str, float]:
    """Process start to the first frame showing 1,000 runs (ccmon) or its text (bare)."""
    with simulator(1000) as url:
        child("ccmon", url, "1000")  # warm the caches (files, bytecode) and the simulator
        ours = [child("ccmon", url, "1000")[0] for _ in range(repeats)]
    child("bare")
    bare, floor = [], []
    for _ in range(repeats):  # alternated: the box's speed drifts
        bare.append(child("bare")[0])
        floor.append(child("bare-libs")[0])
    return {
        "ccmon_s": statistics.median(ours),
        "bare_s": statistics.median(bare),
        "floor_s": statistics.median(floor),
    }


def idle_and_memory(seconds: float, settle: float, sizes: tuple[int, ...]) -> dict[str, Any]:
    """Idle CPU at the first size, once ccmon has settled (the details it wants are in,
    for at most ``settle`` seconds); RSS at every size."""
    out: dict[str, Any] = {}
    for size in sizes:
        first = size == sizes[0]
        with simulator(size) as url:
            _, figures = child(
                "idle", url, str(size), str(seconds if first else 2), str(settle if first else 0)
            )
        out[size] = figures
    _, out["bare"] = child("bare-idle", str(seconds))
    return out


def line(
    name: str,
    value: float,
    unit: str,
    base: float | None = None,
    base_unit: str | None = None,
    ratio: float | None = None,
) -> str:
    text = f"{name}: {value:.3g} {unit}"
    if base is not None:
        text += f" (baseline: {base:.3g} {base_unit or unit}"
        text += f", ratio {ratio:.3g})" if ratio is not None else ")"
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes, under a minute")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    quick = args.quick
    runs = 2_000 if quick else 10_000
    lines: list[str] = []
    result: dict[str, Any] = {"quick": quick}

    s = startup(1 if quick else 5)
    result["startup_ratio"] = s["ccmon_s"] / s["bare_s"]
    lines.append(
        line(
            "startup_ratio",
            result["startup_ratio"],
            "x",
            s["bare_s"],
            "s bare Textual app",
            result["startup_ratio"],
        )
    )
    # the floor: the bare app loading the design card's httpx and pydantic first
    result["startup_floor_ratio"] = s["floor_s"] / s["bare_s"]
    lines[-1] += (
        f"  [ccmon {s['ccmon_s']:.2f} s to 1,000 runs on screen; the bare app loading"
        f" httpx and pydantic first (the floor): {s['floor_s']:.2f} s, ratio"
        f" {result['startup_floor_ratio']:.2f}]"
    )

    load = asyncio.run(first_load(runs))
    result["first_load_10k_s"] = load["ccmon_s"]
    result["first_load_ratio_vs_datatable"] = load["ccmon_s"] / load["datatable_s"]
    lines.append(
        line(
            f"first_load_{runs // 1000}k_s",
            load["ccmon_s"],
            "s",
            load["datatable_s"],
            "s DataTable.add_rows",
            result["first_load_ratio_vs_datatable"],
        )
    )

    ticks = asyncio.run(steady_ticks(runs, 5 if quick else 20))
    result["tick_ms_10k"] = ticks["ccmon_ms"]
    result["tick_ratio_vs_datatable"] = ticks["datatable_ms"] / ticks["ccmon_ms"]
    lines.append(
        line(
            f"tick_ms_{runs // 1000}k",
            ticks["ccmon_ms"],
            "ms",
            ticks["datatable_ms"],
            "ms DataTable.update_cell",
            result["tick_ratio_vs_datatable"],
        )
    )
    lines[-1] += f"  [{ticks['changed']:.0f} runs changed per tick]"
    result["bytes_ratio_10k"] = ticks["bytes_per_tick"] / ticks["bytes_full"]
    lines.append(
        line(
            f"bytes_ratio_{runs // 1000}k",
            result["bytes_ratio_10k"],
            "",
            ticks["bytes_full"] / 1024,
            "KiB re-fetching the window",
            result["bytes_ratio_10k"],
        )
    )
    lines[-1] = lines[-1].replace(
        f"{result['bytes_ratio_10k']:.3g} ",
        f"{ticks['bytes_per_tick'] / 1024:.3g} KiB per tick, ",
        1,
    )

    per_tick: dict[str, float] = {}
    lists: dict[str, float] = {}
    for size in (1_000, 10_000, 100_000):
        figures = asyncio.run(steady_ticks(size, 5 if quick else 10, ui=False, rate=20.0))
        per_tick[str(size)] = figures["requests_per_tick"]
        lists[str(size)] = figures["list_requests_per_tick"]
    result["requests_per_tick"] = per_tick
    result["list_requests_per_tick"] = lists
    lines.append(
        "requests_per_tick: "
        + ", ".join(f"{v:.1f} at {k} runs ({lists[k]:.1f} lists)" for k, v in per_tick.items())
        + " (baseline: the naive full re-fetch needs window/page requests, 1 to 100;"
        + " details are capped at 8 per tick)"
    )

    sizes = (runs, 20_000) if quick else (10_000, 100_000)
    idle = idle_and_memory(5 if quick else 60, 10 if quick else 120, sizes)
    result["idle_cpu_pct"] = idle[sizes[0]]["cpu_pct"]
    lines.append(
        line(
            "idle_cpu_pct",
            result["idle_cpu_pct"],
            "% of a core",
            idle["bare"]["cpu_pct"],
            "% bare Textual app",
        )
    )
    settled = idle[sizes[0]]
    lines[-1] += f"  [measured after {settled['settle_s']:.0f} s of settling"
    lines[-1] += f", {settled['details_pending']} details still queued"
    lines[-1] += f", polling {settled.get('pace', '?')}]"
    result["rss_10k_mb"] = idle[sizes[0]]["rss_mb"]
    result["rss_100k_mb"] = idle[sizes[1]]["rss_mb"]
    lines.append(
        line(
            f"rss_{sizes[0] // 1000}k_mb",
            result["rss_10k_mb"],
            "MB",
            idle["bare"]["rss_mb"],
            "MB bare Textual app",
        )
    )
    lines.append(
        line(
            f"rss_{sizes[1] // 1000}k_mb",
            result["rss_100k_mb"],
            "MB",
            idle["bare"]["rss_mb"],
            "MB bare Textual app",
        )
    )
    per_min = idle[sizes[0]]["requests_per_min"]
    result["rate_limit_share"] = per_min / LIMIT_PER_MIN
    naive = 30 * max(1, -(-runs // 1000))
    lines.append(
        line(
            "rate_limit_share",
            result["rate_limit_share"],
            f"({per_min:.0f}/min of 2,000)",
            naive / LIMIT_PER_MIN,
            f"re-fetching every 2 s ({naive}/min)",
        )
    )

    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
