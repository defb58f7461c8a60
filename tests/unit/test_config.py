"""Settings from the command line, the environment, a profile and the defaults: which
wins, where each value came from, and what a broken or careless file gets told."""

from __future__ import annotations

import argparse
import os
from datetime import timedelta
from pathlib import Path

import pytest

from ccmon.api.client import ApiKey
from ccmon.api.models import Priority
from ccmon.cli import build_parser, main
from ccmon.config import ConfigError, list_profiles, load_settings, mask_key, settings_from
from ccmon.profiles import ConfigFile, display_path
from ccmon.tomlpos import key_lines

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")

CONFIG = """\
# two workspaces
default_profile = "work"

[profiles.work]
base_url = "https://api.example.com"
api_key_env = "CC_WORK_KEY"
interval = 5
window = 12
starvation = 15
theme = "ansi"
bell = true

[profiles.work.priority_defaults]
"Payer eligibility check" = "HIGH"
wf-123 = "low"

[profiles.staging]
base_url = "http://127.0.0.1:8787"
api_key_file = "staging.key"
read_only = true
"""


def line_of(text: str) -> int:
    return next(n for n, line in enumerate(CONFIG.splitlines(), 1) if line.startswith(text))


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    path.chmod(0o600)
    key = tmp_path / "staging.key"
    key.write_text("sk_staging_0123456789abcdef\n")
    key.chmod(0o600)
    for name in list(os.environ):
        if name.startswith(("CCMON_", "CLOUDCRUISE_")) or name == "CC_WORK_KEY":
            monkeypatch.delenv(name)
    monkeypatch.setenv("CCMON_CONFIG", str(path))
    return path


def args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def where(config: Path, profile: str, key: str) -> str:
    return f"profile {profile} ({display_path(config)}:{line_of(key)})"


# --- precedence and sources -------------------------------------------------------------


def test_profile_values_and_where_each_came_from(config: Path) -> None:
    settings = settings_from(args())
    assert settings.profile == "work"
    assert settings.sources["profile"] == f"default_profile ({display_path(config)}:2)"
    assert settings.base_url == "https://api.example.com"
    assert settings.host == "api.example.com"
    assert settings.interval == 5.0
    assert settings.window == timedelta(hours=12)
    assert settings.starvation == timedelta(minutes=15)
    assert (settings.theme, settings.bell, settings.read_only) == ("ansi", True, False)
    assert settings.source("interval") == where(config, "work", "interval")
    assert settings.source("base_url") == where(config, "work", "base_url")
    assert settings.source("read_only") == "default"
    assert settings.priority_defaults == {
        "Payer eligibility check": Priority.HIGH,
        "wf-123": Priority.LOW,
    }
    assert settings.source("priority_defaults") == where(config, "work", "[profiles.work.prio")


def test_command_line_beats_environment_beats_profile_beats_default(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCMON_INTERVAL", "7")
    monkeypatch.setenv("CCMON_WINDOW", "3")
    monkeypatch.setenv("CLOUDCRUISE_BASE_URL", "https://env.example.com")
    settings = settings_from(args("--interval", "9", "--base-url", "https://cli.example.com"))
    assert (settings.interval, settings.source("interval")) == (9.0, "cli --interval")
    assert settings.base_url == "https://cli.example.com"
    assert settings.source("base_url") == "cli --base-url"
    assert (settings.window, settings.source("window")) == (timedelta(hours=3), "env CCMON_WINDOW")
    assert settings.source("starvation") == where(config, "work", "starvation")
    settings = settings_from(args())
    assert settings.base_url == "https://env.example.com"
    assert settings.source("base_url") == "env CLOUDCRUISE_BASE_URL"
    assert settings.source("interval") == "env CCMON_INTERVAL"


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCMON_CONFIG", str(tmp_path / "missing.toml"))
    monkeypatch.delenv("CLOUDCRUISE_API_KEY", raising=False)
    monkeypatch.delenv("CLOUDCRUISE_BASE_URL", raising=False)
    settings = load_settings(None, args())
    assert settings.profile == "default"
    assert settings.base_url == "https://api.cloudcruise.com"
    assert settings.api_key is None and settings.key_source == "none"
    assert all(settings.source(name) == "default" for name in ("interval", "window", "theme"))
    assert list_profiles(tmp_path / "missing.toml") == []


def test_a_config_named_on_the_command_line_must_exist(config: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        settings_from(args("--config", str(tmp_path / "nope.toml")))


def test_cli_can_turn_a_profile_flag_off(config: Path) -> None:
    settings = settings_from(args("--profile", "staging", "--no-read-only"))
    assert settings.read_only is False
    assert settings.source("read_only") == "cli --no-read-only"
    assert settings_from(args("--profile", "staging")).read_only is True


def test_wallboard_implies_read_only(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCMON_WALLBOARD", "1")
    settings = settings_from(args())
    assert settings.wallboard and settings.read_only
    assert settings.source("read_only") == "implied by wallboard (env CCMON_WALLBOARD)"


def test_bad_environment_values_are_config_errors(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCMON_INTERVAL", "soon")
    with pytest.raises(ConfigError, match="CCMON_INTERVAL must be a number of seconds"):
        settings_from(args())
    monkeypatch.setenv("CCMON_INTERVAL", "2")
    monkeypatch.setenv("CCMON_READ_ONLY", "perhaps")
    with pytest.raises(ConfigError, match="CCMON_READ_ONLY"):
        settings_from(args())


def test_command_line_priority_defaults_go_over_the_profile_table(config: Path) -> None:
    settings = settings_from(
        args("--priority-default", "wf-123=HIGH", "--priority-default", "x=medium")
    )
    assert settings.priority_defaults["wf-123"] is Priority.HIGH
    assert settings.priority_defaults["x"] is Priority.MEDIUM
    assert settings.priority_defaults["Payer eligibility check"] is Priority.HIGH
    assert settings.source("priority_defaults").startswith("cli --priority-default over profile")


# --- profiles ---------------------------------------------------------------------------


def test_profile_choice_cli_then_environment_then_default_profile(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCMON_PROFILE", "staging")
    settings = settings_from(args())
    assert (settings.profile, settings.source("profile")) == ("staging", "env CCMON_PROFILE")
    settings = settings_from(args("--profile", "work"))
    assert (settings.profile, settings.source("profile")) == ("work", "cli --profile")
    assert list_profiles(config) == ["work", "staging"]


def test_the_app_can_switch_profile(config: Path) -> None:
    settings = load_settings("staging", args())
    assert settings.profile == "staging" and settings.source("profile") == "selected"
    assert settings.read_only and settings.base_url == "http://127.0.0.1:8787"
    assert settings.api_key is not None
    assert settings.api_key.reveal() == "sk_staging_0123456789abcdef"
    assert settings.key_source.startswith(f"file {display_path(config.parent / 'staging.key')}")


def test_unknown_profile_names_the_known_ones(config: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, args("--profile", "prod"))
    assert "unknown profile 'prod'" in str(caught.value)
    assert "work, staging" in str(caught.value)


# --- the key ----------------------------------------------------------------------------


def test_key_precedence(config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="CC_WORK_KEY is not set"):
        load_settings(None, args())
    monkeypatch.setenv("CC_WORK_KEY", "sk_work_key_from_env_9999")
    settings = load_settings(None, args())
    assert settings.api_key is not None and settings.api_key.reveal().endswith("9999")
    assert settings.key_source == f"env CC_WORK_KEY, {where(config, 'work', 'api_key_env')}"
    monkeypatch.setenv("CLOUDCRUISE_API_KEY", "sk_sdk_variable_0000")
    settings = load_settings(None, args())
    assert settings.key_source == "env CLOUDCRUISE_API_KEY"
    key_file = tmp_path / "cli.key"
    key_file.write_text("sk_cli_file_1111")
    key_file.chmod(0o600)
    settings = load_settings(None, args("--api-key-file", str(key_file)))
    assert settings.api_key is not None and settings.api_key.reveal() == "sk_cli_file_1111"
    assert settings.key_source == f"cli --api-key-file {key_file}"


@posix_only
def test_a_key_file_open_to_others_is_refused(config: Path) -> None:
    (config.parent / "staging.key").chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_settings("staging", args())


@posix_only
def test_an_inline_key_needs_a_private_file(config: Path) -> None:
    text = CONFIG + '[profiles.inline]\napi_key = "sk_inline_abcdefghijklmnop"\n'
    config.write_text(text)
    config.chmod(0o600)
    settings = load_settings("inline", args())
    assert settings.api_key is not None and settings.api_key.reveal().startswith("sk_inline")
    line = len(text.splitlines())
    assert settings.key_source == f"profile inline ({display_path(config)}:{line})"
    config.chmod(0o644)
    with pytest.raises(ConfigError) as caught:
        load_settings("staging", args())
    message = str(caught.value)
    assert f"config.toml:{line}:" in message and "chmod 600" in message
    assert "sk_inline" not in message


def test_mask_key_never_shows_the_key() -> None:
    assert mask_key(ApiKey("sk_live_0123456789abcdef")) == "sk_…cdef"
    assert mask_key(ApiKey("0123456789abcdefghijkl")) == "…ijkl"
    assert mask_key(ApiKey("sk_test_xyz")) == "********"
    assert mask_key(None) == "(none)"


def test_config_show_masks_the_key(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CC_WORK_KEY", "sk_live_secret_value_4242")
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "sk_live_secret_value_4242" not in out
    assert "sk_…4242" in out
    assert "env CC_WORK_KEY" in out
    assert f"{display_path(config)}:{line_of('interval')}" in out
    assert main(["config", "show", "--profile", "staging", "--interval", "3"]) == 0
    out = capsys.readouterr().out
    assert "sk_staging_0123456789abcdef" not in out and "sk_…cdef" in out
    assert "cli --interval" in out and "cli --profile" in out


def test_config_show_reports_an_unreadable_key(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (config.parent / "staging.key").unlink()
    assert main(["config", "show", "--profile", "staging"]) == 2
    captured = capsys.readouterr()
    assert "(error: cannot read key file" in captured.out
    assert captured.err.count("\n") == 1 and "cannot read key file" in captured.err


# --- check ------------------------------------------------------------------------------

BROKEN = """\
default_profile = "prod"
[profiles.a]
intervl = 5
interval = 0
read_only = "yes"
base_url = "ftp://example.com"

[profiles.a.priority_defaults]
"My flow" = "URGENT"

[profiles.b]
api_key_env = "CC_KEY"
api_key_file = "k"
"""


def test_check_reports_each_problem_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(BROKEN)
    problems = {(p.line, p.message.split(" ")[0]) for p in ConfigFile.load(path).errors}
    assert problems == {
        (1, "default_profile"),
        (3, "unknown"),
        (4, "interval"),
        (5, "read_only"),
        (6, "base_url"),
        (9, "priority"),
        (13, "profile"),
    }
    unknown = next(p for p in ConfigFile.load(path).errors if p.line == 3)
    assert "did you mean 'interval'" in unknown.message


def test_config_check_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("CCMON_CONFIG", str(path))
    assert main(["config", "check"]) == 0
    assert "no config file" in capsys.readouterr().out
    path.write_text(BROKEN)
    assert main(["config", "check"]) == 2
    captured = capsys.readouterr()
    assert f"{path}:9: error: priority of 'My flow'" in captured.out
    assert captured.err == f"ccmon: 7 errors in {path}\n"
    path.write_text("[profiles.a]\ninterval = 2\nwindow = = 3\n")
    assert main(["config", "check"]) == 2
    assert f"{path}:3: error: invalid TOML" in capsys.readouterr().out
    path.write_text(CONFIG)
    (tmp_path / "staging.key").write_text("sk_staging_key")
    (tmp_path / "staging.key").chmod(0o600)
    monkeypatch.delenv("CC_WORK_KEY", raising=False)
    assert main(["config", "check"]) == 0
    out = capsys.readouterr().out
    assert "warning: profile work: CC_WORK_KEY is not set" in out
    assert "ok (2 profiles: work, staging; default work)" in out


def test_a_broken_file_stops_every_command_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(BROKEN)
    monkeypatch.setenv("CCMON_CONFIG", str(path))
    assert main(["snapshot"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ":1: error: default_profile 'prod'" in err
    assert "ccmon config check" in err


def test_key_lines_finds_dotted_quoted_and_inline_keys() -> None:
    text = """\
top = 1
profiles.x.interval = 3
[profiles . "a b"]
'raw key' = 2
note = \"\"\"
fake = 1
\"\"\"
inline = { k = 1 }
[[arr]]
k = 1
"""
    lines = key_lines(text)
    assert lines[("top",)] == 1
    assert lines[("profiles", "x", "interval")] == 2
    assert lines[("profiles", "x")] == 2
    assert lines[("profiles", "a b")] == 3
    assert lines[("profiles", "a b", "raw key")] == 4
    assert ("fake",) not in lines and ("profiles", "a b", "fake") not in lines
    assert lines[("profiles", "a b", "inline")] == 8
    assert lines[("arr", "k")] == 10
