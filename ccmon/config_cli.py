"""``ccmon config path|show|check|profiles``: where the configuration is, what it
resolves to and where each value came from, and whether the file is right."""

from __future__ import annotations

import argparse
import os
from datetime import timedelta
from pathlib import Path

from ccmon import exits
from ccmon.api.client import ENV_API_KEY
from ccmon.config import ConfigError, Settings, load_settings, mask_key, settings_from
from ccmon.keys import read_key_file
from ccmon.profiles import KEY_SOURCES, ConfigFile, Problem, config_path, display_path
from ccmon.report import clean


def run_path(args: argparse.Namespace) -> int:
    print(config_path(getattr(args, "config", None))[0])
    return exits.OK


def run_profiles(args: argparse.Namespace) -> int:
    path, _ = config_path(getattr(args, "config", None))
    for name in ConfigFile.load(path).profiles:
        print(clean(name))
    return exits.OK


def _span(delta: timedelta, unit: str) -> str:
    value = delta.total_seconds() / {"h": 3600, "m": 60}[unit]
    return f"{value:g}{unit}"


def rows(settings: Settings, key_error: str | None) -> list[tuple[str, str, str]]:
    """(setting, value, source) for every setting."""
    key = f"(error: {key_error})" if key_error else mask_key(settings.api_key)
    found = [
        ("profile", settings.profile, settings.source("profile")),
        ("base_url", settings.base_url, settings.source("base_url")),
        ("api_key", key, "" if key_error else settings.key_source),
        ("interval", f"{settings.interval:g}s", settings.source("interval")),
        ("window", _span(settings.window, "h"), settings.source("window")),
        ("starvation", _span(settings.starvation, "m"), settings.source("starvation")),
        ("read_only", str(settings.read_only).lower(), settings.source("read_only")),
        ("wallboard", str(settings.wallboard).lower(), settings.source("wallboard")),
        ("bell", str(settings.bell).lower(), settings.source("bell")),
        ("theme", settings.theme or "(automatic)", settings.source("theme")),
    ]
    defaults = sorted(settings.priority_defaults.items())
    if not defaults:
        found.append(("priority", "(none)", settings.source("priority_defaults")))
    for i, (workflow, prio) in enumerate(defaults):
        source = settings.source("priority_defaults") if i == 0 else ""
        found.append(("priority" if i == 0 else "", f"{workflow} = {prio.value}", source))
    return found


def run_show(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    key_error = None
    try:
        settings = load_settings(None, args)
    except ConfigError as exc:
        key_error = str(exc)
    path = settings.config_path or config_path(getattr(args, "config", None))[0]
    file = ConfigFile.load(path)
    where = f"{path}" if file.exists else f"{path} (none: defaults apply)"
    table = [("config", where, config_path(getattr(args, "config", None))[1])]
    table += rows(settings, key_error)
    width = min(40, max(len(clean(value)) for _, value, _ in table))
    for name, value, source in table:
        print(f"{name:<11} {clean(value):<{width}}  {clean(source)}".rstrip())
    profile = file.profiles.get(settings.profile)
    overridden = profile is not None and any(k in profile.values for k in KEY_SOURCES)
    if overridden and settings.key_source.startswith(f"env {ENV_API_KEY}"):
        print(f"note: {ENV_API_KEY} overrides the key of profile {clean(settings.profile)}")
    if key_error:
        raise exits.CommandError(key_error)
    return exits.OK


def environment_problems(file: ConfigFile) -> list[Problem]:
    """What the file cannot show by itself: key files and key variables."""
    found: list[Problem] = []
    for name, profile in file.profiles.items():
        values = profile.values
        if "api_key_file" in values:
            path = Path(values["api_key_file"]).expanduser()
            path = path if path.is_absolute() else file.path.parent / path
            try:
                read_key_file(path)
            except ConfigError as exc:
                found.append(Problem(profile.lines.get("api_key_file"), f"profile {name}: {exc}"))
        if "api_key_env" in values and not os.environ.get(values["api_key_env"], "").strip():
            found.append(
                Problem(
                    profile.lines.get("api_key_env"),
                    f"profile {name}: {values['api_key_env']} is not set here",
                    "warning",
                )
            )
    if file.profiles and file.default_profile is None and "default" not in file.profiles:
        found.append(
            Problem(
                None,
                "no default_profile: profiles apply only with --profile or CCMON_PROFILE",
                "warning",
            )
        )
    return found


def run_check(args: argparse.Namespace) -> int:
    path, source = config_path(getattr(args, "config", None))
    file = ConfigFile.load(path)
    if not file.exists and not file.problems:
        if source.startswith("cli"):
            raise exits.CommandError(f"config file {display_path(path)} does not exist")
        print(f"{path}: no config file; ccmon uses its defaults")
        return exits.OK
    problems = file.problems + (environment_problems(file) if not file.errors else [])
    problems.sort(key=lambda p: (p.line or 0, p.level))
    for problem in problems:
        print(clean(problem.format(path)))
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise exits.CommandError(
            f"{len(errors)} error{'s' if len(errors) > 1 else ''} in {display_path(path)}"
        )
    names = ", ".join(file.profiles) or "none"
    default = f"; default {file.default_profile}" if file.default_profile else ""
    print(clean(f"{path}: ok ({len(file.profiles)} profiles: {names}{default})"))
    return exits.OK
