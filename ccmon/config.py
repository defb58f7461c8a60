"""Settings: where the key, the host and the knobs come from, and which source won.

Precedence, for every value: the command line, then the environment (the SDK's
``CLOUDCRUISE_API_KEY`` and ``CLOUDCRUISE_BASE_URL``, ``CCMON_*`` for the rest), then the
profile in the configuration file (:mod:`ccmon.profiles`), then the defaults.
``Settings.sources`` says, per field, which one it was: ``"cli --interval"``,
``"env CLOUDCRUISE_BASE_URL"``, ``"profile work (~/.config/ccmon/config.toml:12)"``,
``"default"``. The API key is never taken from argv: it comes from the environment, a
file closed to others, standard input, or a profile.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from ccmon.alerts import AlertRule
from ccmon.api.client import DEFAULT_BASE_URL, ENV_API_KEY, ENV_BASE_URL, ApiKey
from ccmon.api.models import Priority
from ccmon.keys import ConfigError, mask_key, read_key_file, resolve_key, stdin_key
from ccmon.profiles import (
    ENV_PROFILE,
    ConfigFile,
    config_path,
    display_path,
    list_profiles,
)

__all__ = [
    "ConfigError",
    "Settings",
    "list_profiles",
    "load_settings",
    "mask_key",
    "read_key_file",
    "resolve_key",
    "settings_from",
]

DEFAULT = "default"
ENV_FIELDS: dict[str, str] = {
    "interval": "CCMON_INTERVAL",
    "window": "CCMON_WINDOW",
    "starvation": "CCMON_STARVATION",
    "read_only": "CCMON_READ_ONLY",
    "wallboard": "CCMON_WALLBOARD",
    "bell": "CCMON_BELL",
    "theme": "CCMON_THEME",
}
TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off", ""})


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
    # field name -> where its value came from ("cli --interval", "env ...", "profile ...")
    sources: dict[str, str] = field(default_factory=dict)
    config_path: Path | None = None
    alerts: list[AlertRule] = field(default_factory=list)  # ccmon.alerts, from the profile

    @property
    def host(self) -> str:
        return self.base_url.split("://", 1)[-1].split("/", 1)[0]

    def source(self, name: str) -> str:
        if name == "api_key":
            return self.key_source
        return self.sources.get(name, DEFAULT)


# --- command-line leftovers -------------------------------------------------------------


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


def check_base_url(settings: Settings) -> None:
    if not settings.base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"base URL must be http(s): {settings.base_url!r} (from {settings.source('base_url')})"
        )


# --- the layers -------------------------------------------------------------------------


def _number(name: str, text: str, unit: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name} must be a number of {unit}, not {text!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be more than 0 {unit}, not {text!r}")
    return value


def _flag(name: str, text: str) -> bool:
    if text.strip().lower() in TRUE:
        return True
    if text.strip().lower() in FALSE:
        return False
    raise ConfigError(f"{name} must be 1 or 0 (true or false), not {text!r}")


ENV_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "interval": lambda n, t: _number(n, t, "seconds"),
    "window": lambda n, t: _number(n, t, "hours"),
    "starvation": lambda n, t: _number(n, t, "minutes"),
    "read_only": _flag,
    "wallboard": _flag,
    "bell": _flag,
    "theme": lambda n, t: t.strip() or None,
}
CLI_FLAGS = {
    "base_url": "--base-url",
    "interval": "--interval",
    "window": "--window",
    "starvation": "--starvation",
    "read_only": "--read-only",
    "wallboard": "--wallboard",
    "bell": "--bell",
    "theme": "--theme",
}
UNITS: dict[str, Callable[[float], timedelta]] = {
    "window": lambda v: timedelta(hours=v),
    "starvation": lambda v: timedelta(minutes=v),
}


@dataclass
class _Layers:
    args: argparse.Namespace | None
    environ: Mapping[str, str]
    file: ConfigFile
    profile: str | None

    def cli(self, name: str) -> Any:
        return None if self.args is None else getattr(self.args, name, None)

    def pick(self, name: str) -> tuple[Any, str] | None:
        """The value of ``name`` from the first layer that has it, and that layer."""
        value = self.cli(name)
        if value is not None and (value is not False or name in ("read_only", "bell")):
            flag = CLI_FLAGS[name]
            return value, f"cli {flag if value is not False else '--no-' + flag[2:]}"
        env = ENV_BASE_URL if name == "base_url" else ENV_FIELDS.get(name)
        if env and (text := self.environ.get(env, "").strip()):
            parse = ENV_PARSERS.get(name)
            return (parse(env, text) if parse else text), f"env {env}"
        if self.profile is not None:
            values = self.file.profiles[self.profile].values
            if name in values:
                return values[name], self.file.where(self.profile, name)
        return None


def _choose_profile(layers: _Layers, explicit: str | None) -> tuple[str | None, str]:
    file = layers.file
    if explicit is not None:
        chosen = explicit
        source = "cli --profile" if layers.cli("profile") == explicit else "selected"
    elif cli := layers.cli("profile"):
        chosen, source = cli, "cli --profile"
    elif env := layers.environ.get(ENV_PROFILE, "").strip():
        chosen, source = env, f"env {ENV_PROFILE}"
    elif file.default_profile is not None:
        line = f":{file.default_line}" if file.default_line else ""
        return file.default_profile, f"default_profile ({display_path(file.path)}{line})"
    elif DEFAULT in file.profiles:
        return DEFAULT, f"[profiles.default] ({display_path(file.path)})"
    else:
        return None, DEFAULT
    if chosen not in file.profiles:
        where = display_path(file.path)
        known = ", ".join(file.profiles)
        raise ConfigError(
            f"unknown profile {chosen!r} (from {source}): "
            + (f"profiles in {where}: {known}" if known else f"no profiles in {where}")
        )
    return chosen, source


def _open_file(args: argparse.Namespace | None, environ: Mapping[str, str]) -> ConfigFile:
    path, source = config_path(None if args is None else getattr(args, "config", None), environ)
    file = ConfigFile.load(path)
    if not file.exists and source.startswith("cli"):
        raise ConfigError(f"config file {display_path(path)} does not exist")
    if file.errors:
        first = file.errors[0].format(path)
        more = len(file.errors) - 1
        raise ConfigError(f"{first}" + (f" (and {more} more: ccmon config check)" if more else ""))
    return file


def _resolve(
    args: argparse.Namespace | None,
    profile: str | None,
    environ: Mapping[str, str] | None,
    use_config: bool,
) -> tuple[Settings, _Layers]:
    env = os.environ if environ is None else environ
    file = _open_file(args, env) if use_config else ConfigFile(config_path(None, env)[0])
    layers = _Layers(args, env, file, None)
    name, name_source = _choose_profile(layers, profile) if use_config else (None, DEFAULT)
    layers.profile = name
    settings = Settings(profile=name or DEFAULT, config_path=file.path if use_config else None)
    settings.sources["profile"] = name_source
    for attr in ("base_url", "interval", "window", "starvation", "read_only", "wallboard"):
        picked = layers.pick(attr)
        if picked is not None:
            value, settings.sources[attr] = picked
            setattr(settings, attr, UNITS[attr](value) if attr in UNITS else value)
    for attr in ("bell", "theme"):
        if (picked := layers.pick(attr)) is not None:
            setattr(settings, attr, picked[0])
            settings.sources[attr] = picked[1]
    if settings.wallboard and not settings.read_only:
        settings.read_only = True
        settings.sources["read_only"] = f"implied by wallboard ({settings.source('wallboard')})"
    check_base_url(settings)
    _priority_defaults(settings, layers)
    mine = (layers.profile and file.profiles[layers.profile].values.get("alerts")) or []
    names = {rule.name for rule in mine}
    settings.alerts = [*mine, *(r for r in file.alerts if r.name not in names)]
    return settings, layers


def settings_from(
    args: argparse.Namespace | None,
    *,
    profile: str | None = None,
    use_config: bool = True,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Every setting but the key, with its source. ``use_config=False`` skips the
    configuration file (the demo never reads it)."""
    return _resolve(args, profile, environ, use_config)[0]


def _priority_defaults(settings: Settings, layers: _Layers) -> None:
    """The profile's table, then ``--priority-default`` entries over it."""
    where: list[str] = []
    if layers.profile is not None:
        table = layers.file.profiles[layers.profile].values.get("priority_defaults")
        if table:
            settings.priority_defaults.update(table)
            where.append(layers.file.where(layers.profile, "priority_defaults"))
    items = layers.cli("priority_default") or []
    if items:
        settings.priority_defaults.update(parse_priority_defaults(items))
        where.insert(0, "cli --priority-default")
    if where:
        settings.sources["priority_defaults"] = " over ".join(where)


def _resolve_key(layers: _Layers) -> tuple[ApiKey | None, str]:
    args = layers.args
    key_file = None if args is None else getattr(args, "api_key_file", None)
    if key_file is not None:
        return read_key_file(Path(key_file)), f"cli --api-key-file {key_file}"
    if args is not None and getattr(args, "api_key_stdin", False):
        return stdin_key(), "cli --api-key-stdin"
    if (value := layers.environ.get(ENV_API_KEY, "")).strip():
        return ApiKey(value), f"env {ENV_API_KEY}"
    if layers.profile is None:
        return None, "none"
    values = layers.file.profiles[layers.profile].values
    file = layers.file
    if "api_key_file" in values:
        where = file.where(layers.profile, "api_key_file")
        path = Path(values["api_key_file"]).expanduser()
        if not path.is_absolute():
            path = file.path.parent / path
        try:
            return read_key_file(path), f"file {display_path(path)}, {where}"
        except ConfigError as exc:
            raise ConfigError(f"{exc} (api_key_file of {where})") from None
    if "api_key_env" in values:
        name = values["api_key_env"]
        where = file.where(layers.profile, "api_key_env")
        if not (value := layers.environ.get(name, "")).strip():
            raise ConfigError(f"{name} is not set (api_key_env of {where})")
        return ApiKey(value), f"env {name}, {where}"
    if "api_key" in values:
        return ApiKey(values["api_key"]), file.where(layers.profile, "api_key")
    return None, "none"


def load_settings(
    profile: str | None = None,
    args: argparse.Namespace | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """The effective settings for ``profile`` (None: the one the command line, the
    environment or ``default_profile`` names), key included. Raises ConfigError.

    The app can call ``load_settings("staging", args)`` to switch profiles."""
    settings, layers = _resolve(args, profile, environ, True)
    settings.api_key, settings.key_source = _resolve_key(layers)
    return settings


def require_key(settings: Settings) -> ApiKey:
    if settings.api_key is None:
        raise ConfigError(
            "no API key: set CLOUDCRUISE_API_KEY, use --api-key-file FILE or --api-key-stdin,"
            " or a profile (ccmon config path); try `ccmon demo` for a simulated workspace"
        )
    return settings.api_key
