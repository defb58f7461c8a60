"""Settings: where the key, the host and the knobs come from.

Precedence: command line, then environment (the SDK's ``CLOUDCRUISE_*`` names), then
defaults. The API key is never taken from argv: it comes from the environment, a
file readable by its owner only, or standard input.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from ccmon.api.client import DEFAULT_BASE_URL, ENV_API_KEY, ENV_BASE_URL, ApiKey
from ccmon.api.models import Priority


class ConfigError(Exception):
    """A setting that cannot be used; the message says what to do."""


@dataclass
class Settings:
    base_url: str = DEFAULT_BASE_URL
    api_key: ApiKey | None = None
    key_source: str = "none"
    profile: str = "default"
    interval: float = 2.0
    window: timedelta = timedelta(hours=24)
    read_only: bool = False
    wallboard: bool = False
    bell: bool = False
    theme: str | None = None
    starvation: timedelta = timedelta(minutes=10)
    priority_defaults: dict[str, Priority] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return self.base_url.split("://", 1)[-1].split("/", 1)[0]


def read_key_file(path: Path) -> ApiKey:
    """A key file must belong to its reader and be closed to others, as ssh wants."""
    try:
        info = path.stat()
    except OSError as exc:
        raise ConfigError(f"cannot read key file {path}: {exc.strerror}") from None
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"key file {path} is readable by others (mode {stat.filemode(info.st_mode)}): "
            f"run chmod 600 {path}"
        )
    try:
        return ApiKey(path.read_text(encoding="utf-8"))
    except ValueError:
        raise ConfigError(f"key file {path} is empty") from None


def resolve_key(key_file: Path | None, from_stdin: bool) -> tuple[ApiKey | None, str]:
    if key_file is not None:
        return read_key_file(key_file), f"file {key_file}"
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise ConfigError("no API key on standard input")
        return ApiKey(line), "stdin"
    value = os.environ.get(ENV_API_KEY, "")
    if value.strip():
        return ApiKey(value), f"env {ENV_API_KEY}"
    return None, "none"


def parse_priority_defaults(items: list[str]) -> dict[str, Priority]:
    """``WORKFLOW=PRIORITY`` pairs; WORKFLOW is an id or a name."""
    found: dict[str, Priority] = {}
    for item in items:
        name, _, value = item.rpartition("=")
        prio = Priority.parse(value)
        if not name or prio is None:
            raise ConfigError(f"bad priority default {item!r}: use WORKFLOW=HIGH|MEDIUM|LOW")
        found[name] = prio
    return found


def from_environment(settings: Settings) -> Settings:
    if base := os.environ.get(ENV_BASE_URL, "").strip():
        settings.base_url = base
    if not settings.base_url.startswith(("http://", "https://")):
        raise ConfigError(f"base URL must be http(s): {settings.base_url!r}")
    return settings
