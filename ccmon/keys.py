"""The API key: read from a file closed to others, standard input or the environment,
and shown only masked. It never comes from argv and never reaches a log line."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from ccmon.api.client import ENV_API_KEY, ApiKey


class ConfigError(Exception):
    """A setting that cannot be used; the message says what to do."""


def mask_key(key: ApiKey | None) -> str:
    """``sk_…cdef`` for a long key, ``********`` for a short one; never the key."""
    if key is None:
        return "(none)"
    value = key.reveal()
    if len(value) < 20:
        return "********"
    prefix = value[: value.index("_") + 1] if "_" in value[:4] else ""
    return f"{prefix}…{value[-4:]}"


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
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read key file {path}: {exc}") from None
    except ValueError:
        raise ConfigError(f"key file {path} is empty") from None


def resolve_key(key_file: Path | None, from_stdin: bool) -> tuple[ApiKey | None, str]:
    """The key from the command line or the environment (no profile): kept for callers
    that predate profiles; :func:`load_settings` is the whole story."""
    if key_file is not None:
        return read_key_file(key_file), f"file {key_file}"
    if from_stdin:
        return stdin_key(), "stdin"
    value = os.environ.get(ENV_API_KEY, "")
    if value.strip():
        return ApiKey(value), f"env {ENV_API_KEY}"
    return None, "none"


_STDIN_KEY: list[ApiKey] = []


def stdin_key() -> ApiKey:
    """Standard input is read once per process, so a profile switch can ask again."""
    if not _STDIN_KEY:
        line = sys.stdin.readline()
        if not line.strip():
            raise ConfigError("no API key on standard input")
        _STDIN_KEY.append(ApiKey(line))
    return _STDIN_KEY[0]
