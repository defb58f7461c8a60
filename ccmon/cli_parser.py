"""The argparse parser of ``ccmon``: every command, flag and example.

Shared options default to :data:`argparse.SUPPRESS` (absent unless given), so an option
given before the command name is not reset by the subcommand's default, and the
configuration layers (:mod:`ccmon.config`) can tell "given" from "not given".
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ccmon import __version__

S = argparse.SUPPRESS
PRIORITIES = ("HIGH", "MEDIUM", "LOW")


class Parser(argparse.ArgumentParser):
    """Usage errors as one line on standard error, exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def _command(
    commands: argparse._SubParsersAction[Parser],
    name: str,
    summary: str,
    epilog: str,
    description: str | None = None,
) -> Parser:
    return commands.add_parser(
        name,
        help=summary,
        description=description or summary[0].upper() + summary[1:] + ".",
        epilog="examples:\n" + epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def add_connection_options(parser: argparse._ActionsContainer) -> None:
    group = parser.add_argument_group("connection")
    group.add_argument(
        "--profile", default=S, metavar="NAME", help="profile of the config file (CCMON_PROFILE)"
    )
    group.add_argument(
        "--config", default=S, metavar="FILE", help="config file (CCMON_CONFIG; ccmon config path)"
    )
    group.add_argument(
        "--base-url", default=S, metavar="URL", help="API base URL (CLOUDCRUISE_BASE_URL)"
    )
    group.add_argument(
        "--api-key-file",
        type=Path,
        default=S,
        metavar="FILE",
        help="read the API key from this file (mode 600)",
    )
    group.add_argument(
        "--api-key-stdin", action="store_true", default=S, help="read the API key from stdin"
    )


def add_read_only(parser: argparse._ActionsContainer) -> None:
    parser.add_argument(
        "--read-only",
        action=argparse.BooleanOptionalAction,
        default=S,
        help="refuse start and interrupt (CCMON_READ_ONLY)",
    )


def add_queue_options(parser: argparse._ActionsContainer) -> None:
    parser.add_argument(
        "--window", type=_positive, default=S, metavar="HOURS", help="hours of history (24)"
    )
    parser.add_argument(
        "--priority-default",
        action="append",
        default=S,
        metavar="WORKFLOW=PRIO",
        help="priority of WORKFLOW's runs (id or name) not started by ccmon",
    )
    parser.add_argument(
        "--starvation",
        type=_positive,
        default=S,
        metavar="MINUTES",
        help="a queue waiting this long is starving (10)",
    )


def add_monitor_options(parser: argparse._ActionsContainer) -> None:
    ui = parser.add_argument_group("monitor")
    ui.add_argument(
        "--interval", type=_positive, default=S, metavar="SECONDS", help="seconds between polls (2)"
    )
    ui.add_argument(
        "--wallboard", action="store_true", default=S, help="big read-only wallboard view"
    )
    add_read_only(ui)
    ui.add_argument("--theme", default=S, help="dark, light, ansi or any Textual theme name")
    ui.add_argument(
        "--bell",
        action=argparse.BooleanOptionalAction,
        default=S,
        help="ring the terminal bell on failures",
    )
    add_queue_options(ui)
    ui.add_argument(
        "--record", default=S, metavar="FILE", help="record every poll to FILE (SQLite; replay)"
    )
    ui.add_argument(
        "--record-retention",
        type=_positive,
        default=S,
        metavar="HOURS",
        help="delete recorded ticks older than this (24)",
    )


MAIN_EPILOG = """\
examples:
  ccmon demo                        a busy simulated workspace, no account needed
  ccmon demo --wallboard            the same on a wallboard (q twice to quit)
  CLOUDCRUISE_API_KEY=sk_... ccmon  the live queue of your workspace
  ccmon --profile work --read-only  a profile of ~/.config/ccmon/config.toml
  ccmon --api-key-file ~/.config/ccmon/key --interval 5
  ccmon snapshot --fail-on 'failed>0'         one poll for scripts and cron
  ccmon start 'Claim status lookup' --priority HIGH --input claim_number=CLM-1
  ccmon config show                 the settings in force and where each came from
  ccmon sim --port 8787 --history 5000   serve the simulator for curl or the SDKs

exit status: 0 done, 1 API or network error, 2 usage or configuration error
(and read-only refusals), 3 a snapshot --fail-on condition held.
"""
DEMO_EPILOG = """\
  ccmon demo                              3,000 runs of history, live traffic
  ccmon demo --wallboard                  the wallboard view
  ccmon demo --seed 7 --history 5000 --rate 30
  ccmon demo --hostile --fault runs:500:0.2   hostile text, failing polls
"""
SIM_EPILOG = """\
  ccmon sim --port 8787 --history 5000
  curl -H 'cc-key: demo-key' 'localhost:8787/runs?limit=3'
  ccmon sim --key sk_test_xyz --rate 0 --fault all:timeout:0.1
  CLOUDCRUISE_BASE_URL=http://127.0.0.1:8787 CLOUDCRUISE_API_KEY=demo-key ccmon
"""
SNAPSHOT_EPILOG = """\
  ccmon snapshot                          counts, queue per priority, first 20 runs
  ccmon snapshot --demo                   the same against the built-in simulator
  ccmon snapshot --json | jq .counts      schema ccmon.snapshot/1 (README)
  ccmon snapshot --csv --filter 'status:failed prio:high' > failed.csv
  ccmon snapshot --fail-on 'failed>0' --fail-on 'wait.low>10m' || page-me
  */5 * * * * ccmon --profile work snapshot --json --fail-on 'queued>=20' > /dev/null

conditions (--fail-on METRIC OP VALUE, OP one of > >= < <= == !=):
  queued running paused requeued success failed stopped total active done waiting
  waiting.P running.P wait.P wait (P: high medium low unknown; waits take 30s 10m 2h)
  errors recovered unrecovered starving success_rate (percent) invalid
exit status: 0, or 3 when a condition held (named on stderr), 1 when the API failed.
"""
START_EPILOG = """\
  ccmon start 'Claim status lookup' --priority HIGH \\
      --input claim_number=CLM-2026-004417 --input payer_id=60054 --input USER=cred_1
  ccmon start 8495991e-2448-4863-9ac0-8a5db3f8638b --dry-run --debug \
      --input member_id=MBR-558201 --input date_of_service=2026-02-28 --input USER=cred_1
  ccmon start 'Timesheet export' --input 'USER:=["cred_1", "cred_2"]'
  sid=$(ccmon --profile work start 'Invoice PDF download' --input invoice_number=INV-1 ...)

KEY=VALUE is typed by the workflow's input schema (integer, number, boolean);
KEY:=JSON passes JSON as is. Without --priority: the profile's priority default for
the workflow, else LOW. The priority is recorded in ccmon's journal.
"""
INTERRUPT_EPILOG = """\
  ccmon interrupt 3f2a91c0-5b1d-4c52-9e1a-0c7d2b6f4e11
  ccmon --profile work interrupt "$sid"
"""
CONFIG_EPILOG = """\
  ccmon config path                       where the file is (CCMON_CONFIG overrides)
  ccmon config show --profile work        the settings in force, key masked
  ccmon config check                      errors with line numbers; exit 2 on errors
  ccmon config profiles                   the profile names, one a line
"""
REPLAY_EPILOG = """\
  ccmon --record ~/ccmon.rec                 record the live monitor (24 h kept)
  ccmon demo --record /tmp/demo.rec --record-retention 2
  ccmon replay ~/ccmon.rec                   space pause, . , step, ] [ speed, g jump
  ccmon replay ~/ccmon.rec --paused --speed 8
"""
COMPLETION_EPILOG = """\
  ccmon completion bash > ~/.local/share/bash-completion/completions/ccmon
  ccmon completion zsh > ~/.zfunc/_ccmon     (with fpath+=(~/.zfunc) before compinit)
  ccmon completion fish > ~/.config/fish/completions/ccmon.fish
"""


def _demo(commands: argparse._SubParsersAction[Parser]) -> None:
    demo = _command(
        commands,
        "demo",
        "the monitor over a built-in simulator with live traffic",
        DEMO_EPILOG,
        "The monitor over an in-process CloudCruise simulator, no account needed. "
        "It reads neither the config file nor a key.",
    )
    add_monitor_options(demo)
    demo.add_argument("--seed", type=int, default=1, metavar="N", help="simulator seed (1)")
    demo.add_argument("--history", type=_count, default=3000, help="past runs to pre-fill (3000)")
    demo.add_argument("--rate", type=float, default=10.0, help="runs started per minute (10)")
    demo.add_argument("--workers", type=int, default=6, help="simulated worker slots (6)")
    demo.add_argument("--hostile", action="store_true", help="hostile strings in the data")
    demo.add_argument(
        "--fault", action="append", default=[], metavar="ROUTE:KIND[:RATE]", help="inject faults"
    )


def _snapshot(commands: argparse._SubParsersAction[Parser]) -> None:
    snap = _command(
        commands,
        "snapshot",
        "poll once and print the queue and the counts (table, JSON or CSV)",
        SNAPSHOT_EPILOG,
    )
    add_connection_options(snap)
    add_queue_options(snap)
    out = snap.add_argument_group("output")
    fmt = out.add_mutually_exclusive_group()
    for flag, what in (("json", "the ccmon.snapshot/1 document"), ("csv", "one row per run")):
        fmt.add_argument(
            f"--{flag}",
            dest="format",
            action="store_const",
            const=flag,
            default="table",
            help=what,
        )
    out.add_argument("--filter", metavar="QUERY", help="as in the app: 'status:failed prio:high'")
    out.add_argument(
        "--fail-on",
        action="append",
        default=[],
        metavar="COND",
        help="exit 3 if COND holds, e.g. 'failed>0' or 'wait.low>10m' (repeatable)",
    )
    out.add_argument(
        "--limit", type=_count, default=20, metavar="N", help="runs in the table (20; 0: all)"
    )
    out.add_argument(
        "--details",
        type=_count,
        default=100,
        metavar="N",
        help="fetch errors of up to N failed runs (100)",
    )
    demo = snap.add_argument_group("demo")
    demo.add_argument("--demo", action="store_true", help="against the built-in simulator")
    demo.add_argument("--seed", type=int, default=1, metavar="N", help="simulator seed (1)")
    demo.add_argument(
        "--history", type=_count, default=1000, metavar="N", help="runs of history (1000)"
    )
    demo.add_argument("--hostile", action="store_true", help="hostile strings in the data")


def _control(commands: argparse._SubParsersAction[Parser]) -> None:
    start = _command(commands, "start", "start a run of a workflow (POST /run)", START_EPILOG)
    start.add_argument("workflow", metavar="WORKFLOW", help="workflow id or exact name")
    start.add_argument("--priority", type=str.upper, choices=PRIORITIES, help="HIGH, MEDIUM or LOW")
    start.add_argument(
        "--input", action="append", default=[], metavar="KEY=VALUE", help="an input (repeatable)"
    )
    start.add_argument("--dry-run", action="store_true", help="a dry run")
    start.add_argument("--debug", action="store_true", help="record debug snapshots")
    add_connection_options(start)
    add_read_only(start)
    stop = _command(commands, "interrupt", "interrupt a run", INTERRUPT_EPILOG)
    stop.add_argument("session_id", metavar="SESSION_ID", help="the run's session id")
    add_connection_options(stop)
    add_read_only(stop)


def _config(commands: argparse._SubParsersAction[Parser]) -> None:
    config = _command(commands, "config", "the configuration file and profiles", CONFIG_EPILOG)
    actions = config.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=Parser
    )
    for name, summary in (
        ("path", "print the path of the config file"),
        ("show", "print the settings in force and where each came from"),
        ("check", "check the config file; errors with line numbers"),
        ("profiles", "print the profile names"),
    ):
        sub = _command(actions, name, summary, CONFIG_EPILOG)
        if name == "show":
            add_connection_options(sub)
            add_monitor_options(sub)
        else:
            sub.add_argument("--config", default=S, metavar="FILE", help="config file")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="ccmon",
        description="A live terminal monitor for CloudCruise browser-agent runs.",
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ccmon {__version__}")
    add_connection_options(parser)
    add_monitor_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    _demo(commands)
    sim = _command(
        commands,
        "sim",
        "serve the CloudCruise API simulator on loopback",
        SIM_EPILOG,
        "Serve the simulator on 127.0.0.1 for curl, the SDKs or ccmon itself.",
    )
    from ccmon.sim.server import add_arguments

    add_arguments(sim)
    replay = _command(
        commands, "replay", "play a recording (--record) back in the monitor", REPLAY_EPILOG
    )
    replay.add_argument("file", metavar="FILE", help="a recording made with --record")
    replay.add_argument("--paused", action="store_true", help="start paused at the first tick")
    replay.add_argument("--theme", default=S, help="dark, light, ansi or any Textual theme name")
    _snapshot(commands)
    _control(commands)
    _config(commands)
    completion = _command(
        commands, "completion", "print a shell completion script", COMPLETION_EPILOG
    )
    completion.add_argument("shell", choices=("bash", "zsh", "fish"), help="the shell")
    return parser
