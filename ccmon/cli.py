"""The ``ccmon`` command."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import timedelta
from pathlib import Path

import httpx

from ccmon import __version__
from ccmon.config import (
    ConfigError,
    Settings,
    from_environment,
    parse_priority_defaults,
    resolve_key,
)
from ccmon.sync.journal import Journal

EXAMPLES = """\
examples:
  ccmon demo                       a busy simulated workspace, no account needed
  ccmon demo --wallboard           the same on a wallboard (q twice to quit)
  CLOUDCRUISE_API_KEY=sk_... ccmon the live queue of your workspace
  ccmon --api-key-file ~/.config/ccmon/key --interval 5 --read-only
  ccmon sim --port 8787 --history 5000   serve the simulator for curl or the SDKs
"""


def add_monitor_options(parser: argparse.ArgumentParser) -> None:
    ui = parser.add_argument_group("monitor")
    ui.add_argument("--interval", type=float, help="seconds between polls (default 2)")
    ui.add_argument("--window", type=float, metavar="HOURS", help="hours of history (24)")
    ui.add_argument("--wallboard", action="store_true", help="big read-only wallboard view")
    ui.add_argument("--read-only", action="store_true", help="refuse interrupt and start")
    ui.add_argument("--theme", help="dark, light, ansi or any Textual theme name")
    ui.add_argument("--bell", action="store_true", help="ring the terminal bell on failures")
    ui.add_argument(
        "--priority-default",
        action="append",
        default=[],
        metavar="WORKFLOW=PRIO",
        help="priority shown for runs of WORKFLOW (id or name) not started by ccmon",
    )
    ui.add_argument(
        "--starvation", type=float, metavar="MINUTES", help="warn when a queue waits this long"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ccmon",
        description="A live terminal monitor for CloudCruise browser-agent runs.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ccmon {__version__}")
    parser.add_argument("--base-url", help="API base URL (env CLOUDCRUISE_BASE_URL)")
    parser.add_argument(
        "--api-key-file", type=Path, help="read the API key from this file (mode 600)"
    )
    parser.add_argument(
        "--api-key-stdin", action="store_true", help="read the API key from standard input"
    )
    add_monitor_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="the monitor over a built-in simulator with live traffic",
        description="The monitor over an in-process CloudCruise simulator, no account needed.",
    )
    add_monitor_options(demo)
    demo.add_argument("--seed", type=int, default=1, help="simulator seed (1)")
    demo.add_argument("--history", type=int, default=3000, help="past runs to pre-fill (3000)")
    demo.add_argument("--rate", type=float, default=10.0, help="runs started per minute (10)")
    demo.add_argument("--workers", type=int, default=6, help="simulated worker slots (6)")
    demo.add_argument("--hostile", action="store_true", help="hostile strings in the data")
    demo.add_argument(
        "--fault", action="append", default=[], metavar="ROUTE:KIND[:RATE]", help="inject faults"
    )
    sim = commands.add_parser(
        "sim",
        help="serve the CloudCruise API simulator on loopback",
        description="Serve the simulator on 127.0.0.1 for curl, the SDKs or ccmon itself.",
    )
    from ccmon.sim.server import add_arguments

    add_arguments(sim)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    settings = from_environment(Settings())
    if args.base_url:
        settings.base_url = args.base_url
    if args.interval:
        settings.interval = args.interval
    if args.window:
        settings.window = timedelta(hours=args.window)
    if args.starvation:
        settings.starvation = timedelta(minutes=args.starvation)
    settings.wallboard = args.wallboard
    settings.read_only = args.read_only or args.wallboard
    settings.theme = args.theme
    settings.bell = args.bell
    settings.priority_defaults = parse_priority_defaults(args.priority_default)
    return settings


def run_monitor(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    settings.api_key, settings.key_source = resolve_key(args.api_key_file, args.api_key_stdin)
    if settings.api_key is None:
        raise ConfigError(
            "no API key: set CLOUDCRUISE_API_KEY, or use --api-key-file FILE or --api-key-stdin"
            " (try `ccmon demo` for a simulated workspace)"
        )
    from ccmon.ui.app import CcmonApp
    from ccmon.ui.context import Monitor

    http = httpx.AsyncClient(base_url=settings.base_url, timeout=10.0)
    monitor = Monitor.build(settings, http, Journal(), label=settings.profile)
    CcmonApp(monitor).run()
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from ccmon.demo import build_demo
    from ccmon.sim import Fault
    from ccmon.ui.app import CcmonApp

    try:
        faults = [Fault.parse(spec) for spec in args.fault]
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    demo = build_demo(
        settings_from(args),
        seed=args.seed,
        history=args.history,
        workers=args.workers,
        rate=args.rate,
        hostile=args.hostile,
        faults=faults,
    )
    CcmonApp(demo.monitor).run()
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, handlers=[logging.NullHandler()])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "sim":
            from ccmon.sim.server import run

            return run(args)
        if args.command == "demo":
            return run_demo(args)
        return run_monitor(args)
    except ConfigError as exc:
        print(f"ccmon: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
