"""Soak: ccmon headless over the in-process simulator, with random faults, for N minutes.

    python bench/soak.py --minutes 30      # the default
    python bench/soak.py --minutes 1       # what CI runs (tests/functional/test_soak.py)

The real app (``ccmon demo``: the real poller loop, live, every 0.5 s, and the demo's
traffic) runs under Textual's headless driver while a driver script opens screens the way
a person would and the simulator injects faults: every ``--rotate`` seconds one random
(route, kind) at rate 0.1. One line per figure, then PASS or FAIL; the exit status is 1
when a limit is broken:

- crashes: exceptions that escaped (a worker that died, an exception that reached
  Textual or the event loop, an "internal error" that only the last-resort handler
  caught) must be 0;
- RSS, measured after a warm-up and at the end, must grow less than 10%;
- asyncio tasks and Textual workers alive at the end must not exceed those at the start
  (both measured on the main screen, after a pause);
- requests over the API's rate limit (429s from the simulator's real limiter, not the
  injected ones) must be 0.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import ctypes.util
import gc
import logging
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from textual.worker import Worker, WorkerState

from ccmon.config import Settings
from ccmon.demo import Demo, build_demo
from ccmon.sim import Fault
from ccmon.sim.faults import KINDS, ROUTES
from ccmon.sim.ratelimit import Verdict
from ccmon.ui.app import CcmonApp

RSS_GROWTH_LIMIT = 0.10
TRACE = bool(__import__("os").environ.get("SOAK_TRACE"))
FAULT_RATE = 0.1
# What a person does, in turn: (keys, seconds to look at the result).
VISITS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("enter",), 2.0),
    (("2", "3", "4", "down", "enter"), 2.0),
    (("escape",), 1.0),
    (("F",), 1.5),
    (("escape", "6"), 1.5),
    (("0", "s", "s", "S"), 1.0),
    (("W",), 1.5),
    (("escape", "question_mark"), 1.0),
    (("escape", "p"), 1.0),
    (("p", "r", "pagedown", "end", "home"), 1.0),
)


@dataclass
class Figures:
    crashes: list[str] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    over_limit: int = 0
    limiter_hits: int = 0
    faults: list[str] = field(default_factory=list)
    rss_start: float = 0.0
    rss_end: float = 0.0
    tasks_start: int = 0
    tasks_end: int = 0
    task_names: list[Counter[str]] = field(default_factory=list)  # at each census
    workers_start: int = 0
    workers_end: int = 0
    ticks: int = 0
    warmup: float = 0.0
    requests: int = 0
    seconds: float = 0.0


class SoakApp(CcmonApp):
    """The real app, counting the workers that die."""

    figures: Figures

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.figures.crashes.append(
                f"worker {event.worker.name or event.worker.group}: {event.worker.error!r}"
            )
        super().on_worker_state_changed(event)


class ErrorLog(logging.Handler):
    """ccmon logs a bug that its last-resort handler caught at ERROR ("internal error")."""

    def __init__(self, figures: Figures) -> None:
        super().__init__(logging.ERROR)
        self.figures = figures

    def emit(self, record: logging.LogRecord) -> None:
        self.figures.internal_errors.append(f"{record.name}: {record.getMessage()}")


def release_free_memory() -> None:
    """Collect garbage and hand the allocator's free pages back (glibc's malloc_trim),
    so that RSS counts the memory in use, not what was freed and kept for reuse."""
    gc.collect()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: RSS as it is
        pass


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # peak: a fallback


def count_over_limit(demo: Demo, figures: Figures) -> None:
    """Wrap the simulator's limiter: a request it refuses is one over the rate limit."""
    limiter = demo.sim.limiter
    hit = limiter.hit

    def counting(identity: str, now: float) -> Verdict:
        verdict = hit(identity, now)
        figures.limiter_hits += 1
        if not verdict.allowed:
            figures.over_limit += 1
        return verdict

    limiter.hit = counting  # type: ignore[method-assign]


class Faults:
    """Rotates one random (route, kind) at rate 0.1 every ``every`` seconds; ``paused``
    keeps them off (while measuring)."""

    def __init__(self, demo: Demo, figures: Figures, every: float, rng: random.Random) -> None:
        self.demo, self.figures, self.every, self.rng = demo, figures, every, rng
        self.paused = False

    async def run(self) -> None:
        while True:
            if self.paused:
                self.demo.sim.faults.clear()
            else:
                route, kind = self.rng.choice(ROUTES), self.rng.choice(KINDS)
                self.demo.sim.faults.replace([Fault(route, kind, FAULT_RATE)])
                self.figures.faults.append(f"{route}:{kind}")
            await asyncio.sleep(self.every)


async def to_main_screen(app: CcmonApp, pilot: Any) -> None:
    from ccmon.ui.screens.main import MainScreen

    for _ in range(6):
        if isinstance(app.screen, MainScreen):
            break
        await pilot.press("escape")
        await pilot.pause(0.2)


def task_name(task: asyncio.Task[Any]) -> str:
    """What a task runs; for a Textual message pump, whose (its task's name)."""
    name = getattr(task.get_coro(), "__qualname__", None) or task.get_name()
    if name == "MessagePump._process_messages":
        return task.get_name().split("(")[0]
    return name


async def census(
    app: CcmonApp, pilot: Any, faults: Faults, samples: int = 5
) -> tuple[float, int, int]:
    """RSS, tasks and workers on the main screen with the faults off, polling paused and
    no toasts (the same state at the start and at the end: no tick's requests in flight). Requests
    caught by a "timeout" or "slow" fault may still be in flight for up to the client's
    timeout: the counts are read once they have held still for ``samples`` readings (or
    that timeout has passed), lowest of those."""
    faults.paused = True
    faults.demo.sim.faults.clear()
    poller = faults.demo.monitor.poller
    poller.pause()
    await to_main_screen(app, pilot)
    toasts_gone = time.monotonic() + 15  # each comes and goes on its own: wait them out
    while app.screen.query("Toast") and time.monotonic() < toasts_gone:
        await pilot.pause(0.5)
    deadline = time.monotonic() + faults.demo.monitor.client.timeout + 3
    readings: list[tuple[float, int, int]] = []
    while True:
        await pilot.pause(0.5)
        release_free_memory()
        workers = sum(1 for w in app.workers if not w.is_finished)
        tasks = asyncio.all_tasks()
        readings.append((rss_mb(), len(tasks), workers))
        last = readings[-samples:]
        steady = len(last) == samples and len({(t, w) for _, t, w in last}) == 1
        if steady or time.monotonic() > deadline:
            break
    faults.figures.task_names.append(Counter(task_name(t) for t in tasks))
    faults.paused = False
    poller.resume()
    last = readings[-samples:]
    return min(r for r, _, _ in last), min(t for _, t, _ in last), min(w for _, _, w in last)


class WarmUp:
    """The warm-up ends when every screen was seen, every run's detail is in, and RSS
    grew less than 1% over the last round of visits: the caches that fill up to a bound
    (the store's details, Textual's and Rich's render caches) are full, so what grows
    after it is what leaks. Or at half the run, whichever comes first."""

    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self.rounds: list[float] = []

    def done(self, visits: int) -> bool:
        if visits == 0 or visits % len(VISITS):
            return False
        release_free_memory()
        self.rounds.append(rss_mb())
        store = self.demo.monitor.store
        if not store.loaded or not all(r.detail for r in store.runs.values()):
            return False
        return len(self.rounds) >= 2 and self.rounds[-1] < self.rounds[-2] * 1.01


async def soak(minutes: float, rotate: float, seed: int, history: int) -> Figures:
    figures = Figures()
    logging.getLogger("ccmon").addHandler(ErrorLog(figures))
    logging.getLogger("ccmon").setLevel(logging.WARNING)
    demo = build_demo(Settings(interval=0.5), seed=seed, history=history)
    count_over_limit(demo, figures)
    app = SoakApp(demo.monitor, live=True)
    app.figures = figures
    poller = demo.monitor.poller
    poller.config.details_per_tick = 16  # warm-up: every detail, well below the rate limit
    loop = asyncio.get_running_loop()

    def loop_error(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        figures.crashes.append(
            f"event loop: {context.get('message')}: {context.get('exception')!r}"
        )

    loop.set_exception_handler(loop_error)
    total = minutes * 60
    start = time.monotonic()
    faults = Faults(demo, figures, rotate, random.Random(seed))
    try:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            rotation = asyncio.create_task(faults.run())
            visit, measured, warmup = 0, False, WarmUp(demo)
            while time.monotonic() - start < total - 8:
                elapsed = time.monotonic() - start
                if not measured and (warmup.done(visit) or elapsed > total / 2):
                    census_start = await census(app, pilot, faults)
                    figures.rss_start, figures.tasks_start, figures.workers_start = census_start
                    figures.warmup = time.monotonic() - start
                    poller.config.details_per_tick = 8
                    measured = True
                if not measured:
                    poller.want_details(demo.monitor.store.runs)
                keys, look = VISITS[visit % len(VISITS)]
                visit += 1
                await pilot.press(*keys)
                await pilot.pause(look)
                if not app.is_running:
                    figures.crashes.append("the app stopped")
                    break
                if TRACE:  # SOAK_TRACE=1: one line per visit
                    elapsed, screen = time.monotonic() - start, type(app.screen).__name__
                    tasks = len(asyncio.all_tasks())
                    release_free_memory()
                    print(f"{elapsed:6.1f}s rss {rss_mb():.1f} tasks {tasks} {screen}", flush=True)
            figures.rss_end, figures.tasks_end, figures.workers_end = await census(
                app, pilot, faults
            )
            rotation.cancel()
            figures.ticks = poller.ticks
            figures.requests = demo.monitor.client.requests_sent
            poller.stop()
    except Exception as exc:  # an exception that reached Textual ends run_test with it
        figures.crashes.append(f"app: {exc!r}")
    figures.seconds = time.monotonic() - start
    return figures


def report(figures: Figures, minutes: float) -> bool:
    growth = (figures.rss_end - figures.rss_start) / figures.rss_start if figures.rss_start else 0
    crashes = len(figures.crashes) + len(figures.internal_errors)
    checks = {
        "crashes": crashes == 0,
        "rss": growth < RSS_GROWTH_LIMIT,
        "tasks": figures.tasks_end <= figures.tasks_start,
        "workers": figures.workers_end <= figures.workers_start,
        "over-limit": figures.over_limit == 0,
    }
    print(
        f"soak: {figures.seconds / 60:.1f} min (asked {minutes:g}), {figures.ticks} polls, "
        f"{figures.requests} requests by the monitor, {figures.limiter_hits} seen by the limiter"
    )
    print(
        f"faults: {len(figures.faults)} rotations at rate {FAULT_RATE:g}: "
        f"{', '.join(figures.faults[:8])}{'…' if len(figures.faults) > 8 else ''}"
    )
    print(f"crashes: {crashes}")
    for line in (figures.crashes + figures.internal_errors)[:10]:
        print(f"  {line}")
    print(
        f"rss: start {figures.rss_start:.1f} MB, end {figures.rss_end:.1f} MB, "
        f"growth {growth:+.1%} (limit {RSS_GROWTH_LIMIT:.0%})"
    )
    print(f"warm-up: {figures.warmup:.0f} s (screens seen, details in, RSS settled; or half)")
    print(f"tasks: start {figures.tasks_start}, end {figures.tasks_end}")
    if figures.tasks_end > figures.tasks_start and len(figures.task_names) == 2:
        first, last = figures.task_names
        print(f"  more at the end: {dict(last - first)}")
    print(f"workers: start {figures.workers_start}, end {figures.workers_end}")
    print(f"over-limit requests: {figures.over_limit} (429s from the real limiter)")
    failed = [name for name, ok in checks.items() if not ok]
    print("result: PASS" if not failed else f"result: FAIL ({', '.join(failed)})")
    return not failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="how long (30)")
    parser.add_argument("--rotate", type=float, default=10.0, help="seconds per fault (10)")
    parser.add_argument("--seed", type=int, default=1, help="simulator and fault seed (1)")
    parser.add_argument("--history", type=int, default=400, help="runs of history (400)")
    args = parser.parse_args(argv)
    if args.minutes <= 0:
        parser.error("--minutes must be positive")
    figures = asyncio.run(soak(args.minutes, args.rotate, args.seed, args.history))
    return 0 if report(figures, args.minutes) else 1


if __name__ == "__main__":
    sys.exit(main())
