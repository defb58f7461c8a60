"""The configuration file: named profiles in TOML, checked with line numbers.

``platformdirs.user_config_dir("ccmon")/config.toml`` (``~/.config/ccmon/config.toml`` on
Linux), or the file named by ``--config`` or ``CCMON_CONFIG``::

    default_profile = "work"

    [profiles.work]
    base_url = "https://api.cloudcruise.com"
    api_key_env = "CC_WORK_KEY"      # or api_key_file = "...", or api_key = "..." (mode 600)
    interval = 5                     # seconds
    window = 24                      # hours
    starvation = 10                  # minutes
    read_only = true
    theme = "ansi"
    bell = true

    [profiles.work.priority_defaults]
    "Payer eligibility check" = "HIGH"

tomllib gives values but no positions, so :func:`key_lines` scans the text for the line
of each key; every problem and every source names ``file:line``.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import platformdirs

from ccmon.alerts import AlertRule, RuleError, parse_rules
from ccmon.api.models import Priority
from ccmon.tomlpos import key_lines

ENV_CONFIG = "CCMON_CONFIG"
ENV_PROFILE = "CCMON_PROFILE"
TOP_KEYS = ("default_profile", "profiles", "alerts")
KEY_SOURCES = ("api_key", "api_key_file", "api_key_env")
# key -> (kind, unit for messages)
PROFILE_KEYS: dict[str, str] = {
    "base_url": "url",
    "api_key": "str",
    "api_key_file": "str",
    "api_key_env": "env",
    "interval": "seconds",
    "window": "hours",
    "starvation": "minutes",
    "read_only": "bool",
    "wallboard": "bool",
    "bell": "bool",
    "theme": "str",
    "priority_defaults": "table",
    "alerts": "alerts",  # [[profiles.NAME.alerts]]: ccmon.alerts
}
LIMITS: dict[str, tuple[float, float]] = {
    "interval": (0.5, 300.0),
    "window": (0.01, 31 * 24.0),
    "starvation": (0.1, 7 * 24 * 60.0),
}
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
LINE_IN_MESSAGE = re.compile(r"\(at line (\d+), column (\d+)\)")


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir("ccmon", appauthor=False)) / "config.toml"


def config_path(
    cli: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> tuple[Path, str]:
    """The file to read and why: ``--config``, then ``CCMON_CONFIG``, then platformdirs."""
    env = os.environ if environ is None else environ
    if cli:
        return Path(cli).expanduser(), "cli --config"
    if value := env.get(ENV_CONFIG, "").strip():
        return Path(value).expanduser(), f"env {ENV_CONFIG}"
    return default_config_path(), "default"


def display_path(path: Path) -> str:
    """``~/.config/ccmon/config.toml`` rather than the home folder spelled out."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str
    level: Literal["error", "warning"] = "error"

    def format(self, path: Path) -> str:
        where = display_path(path) + (f":{self.line}" if self.line else "")
        return f"{where}: {self.level}: {self.message}"


@dataclass
class Profile:
    """One ``[profiles.NAME]`` table, its values checked and typed."""

    name: str
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int | None] = field(default_factory=dict)


@dataclass
class ConfigFile:
    path: Path
    exists: bool = False
    mode: int | None = None
    default_profile: str | None = None
    default_line: int | None = None
    profiles: dict[str, Profile] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    alerts: list[AlertRule] = field(default_factory=list)  # top-level [[alerts]]: every profile

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def private(self) -> bool:
        """Closed to group and others, as ssh wants of a file holding a secret."""
        return os.name != "posix" or self.mode is None or not self.mode & 0o077

    def where(self, profile: str, key: str) -> str:
        """``profile work (~/.config/ccmon/config.toml:12)``: where a value was set."""
        line = self.profiles[profile].lines.get(key)
        return f"profile {profile} ({display_path(self.path)}" + (f":{line})" if line else ")")

    @classmethod
    def load(cls, path: Path) -> ConfigFile:
        """Read and check ``path``; never raises: trouble becomes :attr:`problems`."""
        found = cls(path)
        try:
            info = path.stat()
        except FileNotFoundError:
            return found
        except OSError as exc:
            found.problems.append(Problem(None, f"cannot read: {exc.strerror}"))
            return found
        found.exists, found.mode = True, info.st_mode
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            found.problems.append(Problem(None, f"cannot read: {exc}"))
            return found
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found.problems.append(toml_problem(exc))
            return found
        _Checker(found, key_lines(text)).check(data)
        found.problems.sort(key=lambda p: p.line or 0)
        return found


def toml_problem(exc: tomllib.TOMLDecodeError) -> Problem:
    """A syntax error with its line (``lineno`` on 3.14+, the message before that)."""
    message = str(exc)
    line = getattr(exc, "lineno", None)
    if match := LINE_IN_MESSAGE.search(message):
        line = line or int(match.group(1))
        message = message[: match.start()].strip()
    return Problem(line, f"invalid TOML: {message}")


class _Checker:
    def __init__(self, found: ConfigFile, lines: dict[tuple[str, ...], int]) -> None:
        self.found = found
        self.lines = lines

    def line(self, *path: str) -> int | None:
        """The line of ``path``, or of its nearest parent written in the file."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def error(self, message: str, *path: str, level: Literal["error", "warning"] = "error") -> None:
        self.found.problems.append(Problem(self.line(*path), message, level))

    def check(self, data: dict[str, Any]) -> None:
        for key in data:
            if key not in TOP_KEYS:
                self.error(f"unknown key {key!r}{_hint(key, TOP_KEYS)}", key)
        if "alerts" in data:
            self.found.alerts = self.alerts(data["alerts"], ("alerts",)) or []
        profiles = data.get("profiles", {})
        if not isinstance(profiles, dict):
            self.error("profiles must be tables: [profiles.NAME]", "profiles")
            profiles = {}
        for name, table in profiles.items():
            if not isinstance(table, dict):
                self.error(f"profile {name!r} must be a table: [profiles.{name}]", "profiles", name)
                continue
            self.found.profiles[name] = self.profile(name, table)
        default = data.get("default_profile")
        if default is not None:
            self.found.default_line = self.line("default_profile")
            if not isinstance(default, str):
                self.error("default_profile must be a profile name (a string)", "default_profile")
            elif default not in self.found.profiles:
                known = ", ".join(self.found.profiles) or "none"
                self.error(
                    f"default_profile {default!r} is not a profile (profiles: {known})",
                    "default_profile",
                )
            else:
                self.found.default_profile = default

    def profile(self, name: str, table: dict[str, Any]) -> Profile:
        prof = Profile(name)
        here = ("profiles", name)
        for key, value in table.items():
            prof.lines[key] = self.line(*here, key)
            kind = PROFILE_KEYS.get(key)
            if kind is None:
                self.error(
                    f"unknown key {key!r} in profile {name}{_hint(key, PROFILE_KEYS)}", *here, key
                )
                continue
            checked = self.value(name, key, kind, value)
            if checked is not None:
                prof.values[key] = checked
        sources = sorted((k for k in KEY_SOURCES if k in table), key=lambda k: prof.lines[k] or 0)
        if len(sources) > 1:
            self.error(
                f"profile {name} sets {' and '.join(sources)}: keep one key source",
                *here,
                sources[-1],
            )
        if "api_key" in table and not self.found.private:
            mode = stat.filemode(self.found.mode or 0)
            self.error(
                f"an API key is written in this file, which others can read (mode {mode}): "
                f"run chmod 600 {display_path(self.found.path)}, or use api_key_file or "
                "api_key_env",
                *here,
                "api_key",
            )
        return prof

    def value(self, name: str, key: str, kind: str, value: Any) -> Any:
        at = ("profiles", name, key)
        if kind in ("seconds", "hours", "minutes"):
            low, high = LIMITS[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.error(f"{key} must be a number of {kind}, not {value!r}", *at)
            elif not low <= value <= high:
                self.error(f"{key} must be between {low:g} and {high:g} {kind}, not {value}", *at)
            else:
                return float(value)
        elif kind == "bool":
            if isinstance(value, bool):
                return value
            self.error(f"{key} must be true or false, not {value!r}", *at)
        elif kind == "table":
            return self.priorities(name, value)
        elif kind == "alerts":
            return self.alerts(value, at)
        elif not isinstance(value, str) or not value.strip():
            self.error(f"{key} must be a non-empty string", *at)
        elif kind == "url" and not value.startswith(("http://", "https://")):
            self.error(f"base_url must start with http:// or https://, not {value!r}", *at)
        elif kind == "env" and not ENV_NAME.match(value):
            self.error(f"api_key_env must be the name of a variable, not {value!r}", *at)
        else:
            return value.strip()
        return None

    def alerts(self, value: Any, at: tuple[str, ...]) -> list[AlertRule] | None:
        try:
            return parse_rules(value)
        except RuleError as exc:
            self.error(str(exc), *at)
            return None

    def priorities(self, name: str, table: Any) -> dict[str, Priority] | None:
        at = ("profiles", name, "priority_defaults")
        if not isinstance(table, dict):
            self.error('priority_defaults must be a table of workflow = "HIGH"', *at)
            return None
        found: dict[str, Priority] = {}
        for workflow, value in table.items():
            prio = Priority.parse(value)
            if prio is None:
                self.error(
                    f"priority of {workflow!r} must be HIGH, MEDIUM or LOW, not {value!r}",
                    *at,
                    workflow,
                )
            else:
                found[workflow] = prio
        return found


def _hint(key: str, known: Mapping[str, object] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(known)})"


def list_profiles(path: Path | None = None) -> list[str]:
    """The profile names in the configuration file (none when it is missing)."""
    return list(ConfigFile.load(path or config_path()[0]).profiles)
