"""`ccmon sim`: serve the simulator on a real socket with uvicorn."""

from __future__ import annotations

import argparse
import logging
from datetime import timedelta

from .clock import SystemClock
from .config import SimConfig
from .faults import ConnectionDropped, Fault
from .simulator import build_simulator

__all__ = ["add_arguments", "build_config", "run"]


def _fault(spec: str) -> Fault:
    try:
        return Fault.parse(spec)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value:g}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the `ccmon sim` options to `parser`."""
    d = SimConfig()
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8787, help="TCP port (8787)")
    parser.add_argument("--seed", type=int, default=d.seed, help="random seed (1)")
    parser.add_argument(
        "--history",
        type=_non_negative_int,
        default=d.history,
        metavar="N",
        help="runs of history to pre-fill (0)",
    )
    parser.add_argument(
        "--history-hours",
        type=_non_negative_float,
        default=d.history_window.total_seconds() / 3600,
        metavar="H",
        help="spread the history over the last H hours (24)",
    )
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=d.workers,
        help=f"concurrent runs the dispatcher allows ({d.workers})",
    )
    parser.add_argument(
        "--rate",
        type=_non_negative_float,
        default=d.arrival_per_min,
        metavar="PER_MIN",
        help=f"autonomous run arrivals per minute ({d.arrival_per_min:g}; 0 = none)",
    )
    parser.add_argument(
        "--fault",
        type=_fault,
        action="append",
        default=[],
        metavar="ROUTE:KIND[:RATE]",
        help="inject a fault, e.g. runs:500 or all:timeout:0.1 (repeatable); routes: runs, "
        "run, snapshots, workflows, all; kinds: 500 502 503 429 401 403 timeout drop "
        "truncate types enum extra slow",
    )
    parser.add_argument(
        "--hostile",
        action="store_true",
        help="mix hostile text (markup, escapes, RTL, huge strings) into generated text",
    )
    parser.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="API_KEY",
        help="accepted cc-key value (repeatable; default demo-key)",
    )


def build_config(args: argparse.Namespace) -> SimConfig:
    d = SimConfig()
    return SimConfig(
        seed=args.seed,
        history=args.history,
        history_window=timedelta(hours=getattr(args, "history_hours", 24.0)),
        workers=args.workers,
        arrival_per_min=args.rate,
        hostile=args.hostile,
        api_keys=frozenset(args.key) if args.key else d.api_keys,
    )


class _QuietDrops(logging.Filter):
    """uvicorn logs an exception for every deliberately dropped connection; hide those."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


def run(args: argparse.Namespace) -> int:
    """Serve the simulator until interrupted; returns the exit status."""
    import uvicorn

    config = build_config(args)
    sim = build_simulator(config, SystemClock(), list(args.fault))
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    url = f"http://{args.host}:{args.port}"
    key = sorted(config.api_keys)[0]
    print(
        f"ccmon sim: serving {url} (seed {config.seed}, {config.history} runs of history); "
        f"try: curl -H 'cc-key: {key}' {url}/runs",
        flush=True,
    )
    if sim.faults:
        print(f"ccmon sim: faults: {', '.join(str(f) for f in sim.faults)}", flush=True)
    server = uvicorn.Server(
        uvicorn.Config(sim.app, host=args.host, port=args.port, log_level="warning")
    )
    try:
        server.run()
    except KeyboardInterrupt:
        return 0
    except SystemExit as exc:  # uvicorn exits when it cannot bind the port
        return exc.code if isinstance(exc.code, int) else 1
    return 0
