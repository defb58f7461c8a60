"""The ``ccmon`` command: the monitor, the demo, the simulator, and the script-facing
subcommands (snapshot, start, interrupt, config, completion).

Options shared by several commands are accepted before or after the command name
(``ccmon --profile work snapshot`` or ``ccmon snapshot --profile work``); they default to
"not given" so that the configuration file and the environment can fill them in
(:mod:`ccmon.config`). Exit statuses are in :mod:`ccmon.exits`.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sqlite3
import sys
from datetime import timedelta
from typing import TYPE_CHECKING

from ccmon import exits
from ccmon.api import errors
from ccmon.api.http import make_http, tls_in_background
from ccmon.cli_parser import build_parser
from ccmon.config import ConfigError, Settings, load_settings, require_key, settings_from
from ccmon.report import clean
from ccmon.sync.journal import Journal

if TYPE_CHECKING:
    from ccmon.record import Recorder

__all__ = ["build_parser", "main", "run_demo", "run_monitor", "settings_from"]


def open_recorder(args: argparse.Namespace, settings: Settings, label: str) -> Recorder | None:
    """The recorder of ``--record FILE`` (``--record-retention HOURS``), if asked for."""
    path = getattr(args, "record", None)
    if not path:
        return None
    from ccmon.record import Recorder

    hours = getattr(args, "record_retention", 24.0)
    meta = {"label": label, "host": settings.host, "interval": str(settings.interval)}
    try:
        return Recorder(path, retention=timedelta(hours=hours), meta=meta)
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError(f"cannot record to {path}: {exc}") from None


def run_monitor(args: argparse.Namespace) -> int:
    settings = load_settings(None, args)
    require_key(settings)
    tls = tls_in_background(settings.base_url)  # while the UI is imported
    from ccmon.ui.app import CcmonApp
    from ccmon.ui.context import Monitor

    http = make_http(settings.base_url, 10.0, tls)
    monitor = Monitor.build(settings, http, Journal(), label=settings.profile)
    CcmonApp(monitor, recorder=open_recorder(args, settings, settings.profile), args=args).run()
    return 0


def run_replay(args: argparse.Namespace) -> int:
    from ccmon.record import ReplayError, ReplaySource
    from ccmon.ui.app import CcmonApp
    from ccmon.ui.screens.replay import replay_monitor

    try:
        source = ReplaySource(args.file)
    except ReplayError as exc:
        raise exits.CommandError(str(exc)) from None
    monitor = replay_monitor(source)
    monitor.settings.theme = getattr(args, "theme", None) or os.environ.get("CCMON_THEME")
    CcmonApp(monitor, replay=source, live=not args.paused).run()
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """The monitor over an in-process simulator; it never reads the configuration file
    or a key (the command line and ``CCMON_*`` still apply)."""
    from ccmon.demo import build_demo
    from ccmon.sim import Fault
    from ccmon.ui.app import CcmonApp

    try:
        faults = [Fault.parse(spec) for spec in getattr(args, "fault", [])]
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    demo = build_demo(
        settings_from(args, use_config=False),
        seed=args.seed,
        history=args.history,
        workers=args.workers,
        rate=args.rate,
        hostile=args.hostile,
        faults=faults,
    )
    recorder = open_recorder(args, demo.monitor.settings, "demo workspace")
    CcmonApp(demo.monitor, recorder=recorder).run()
    return 0


#: commands that run the Textual app; it turns garbage collection back on (ccmon.launch)
UI_COMMANDS = (None, "demo", "replay")


def dispatch(args: argparse.Namespace) -> int:
    command = args.command
    if command not in UI_COMMANDS:
        gc.enable()
    if command == "sim":
        from ccmon.sim.server import run

        return run(args)
    if command == "demo":
        return run_demo(args)
    if command == "replay":
        return run_replay(args)
    if command == "snapshot":
        from ccmon.snapshot_cli import run as run_snapshot

        return run_snapshot(args)
    if command in ("start", "interrupt"):
        from ccmon import control

        return control.run_start(args) if command == "start" else control.run_interrupt(args)
    if command == "config":
        from ccmon import config_cli

        handlers = {
            "path": config_cli.run_path,
            "show": config_cli.run_show,
            "check": config_cli.run_check,
            "profiles": config_cli.run_profiles,
        }
        return handlers[args.action](args)
    if command == "completion":
        from ccmon.completion import script

        sys.stdout.write(script(args.shell, build_parser()))
        return exits.OK
    return run_monitor(args)


def _error(message: object, code: int) -> int:
    print(f"ccmon: {clean(message)}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, handlers=[logging.NullHandler()])
    args = build_parser().parse_args(argv)
    try:
        return dispatch(args)
    except exits.CommandError as exc:
        return _error(exc, exc.code)
    except ConfigError as exc:
        return _error(exc, exits.USAGE)
    except errors.ReadOnlyError as exc:
        return _error(exc, exits.USAGE)
    except errors.CloudCruiseError as exc:
        return _error(exc, exits.API_ERROR)
    except KeyboardInterrupt:
        return exits.INTERRUPTED
    except BrokenPipeError:
        # `ccmon snapshot | head`: the reader left; say nothing more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return exits.API_ERROR
    except Exception as exc:
        if os.environ.get("CCMON_DEBUG"):
            raise
        return _error(f"internal error: {type(exc).__name__}: {exc} (CCMON_DEBUG=1 shows more)", 1)


if __name__ == "__main__":
    sys.exit(main())
