"""Alerts in the app: a toast, the rule's command with JSON on stdin, muting with m."""

from __future__ import annotations

import shlex
import sys

from ccmon.alerts import parse_rules
from ccmon.ui.widgets.status_line import StatusLine
from tests.functional.harness import make_harness


def _toasts(app, title: str) -> list[str]:
    return [str(n.message) for n in app._notifications if n.title == title]


async def _until_failure(h, pilot, ticks: int = 40) -> None:
    for _ in range(ticks):
        await h.tick(5)
        await pilot.pause()
        if _toasts(h.app, "Run failed"):
            return


async def test_failure_alert_toasts_runs_its_command_and_can_be_muted(tmp_path) -> None:
    done = tmp_path / "got-json"
    code = f"import sys,json; json.load(sys.stdin); open({str(done)!r},'w').write('ok')"
    command = shlex.join([sys.executable, "-c", code])
    rules = parse_rules([{"kind": "failure", "command": command}])
    h = make_harness(tmp_path, settings={"alerts": rules}, arrival_per_min=120.0)
    async with h.app.run_test(size=(120, 40)) as pilot:
        await h.tick(0)
        await pilot.pause()
        assert not _toasts(h.app, "Alert: failure"), "history is not news"
        await _until_failure(h, pilot)
        assert _toasts(h.app, "Alert: failure")
        for _ in range(50):
            await pilot.pause(0.05)
            if done.exists():
                break
        assert done.read_text() == "ok"

    h = make_harness(tmp_path / "b", settings={"alerts": rules}, arrival_per_min=120.0)
    async with h.app.run_test(size=(120, 40)) as pilot:
        await h.tick(0)
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("enter", "escape")
        assert h.app.alerts.engine.muted == {"failure"}
        assert "muted: failure" in str(h.app.screen.query_one(StatusLine).content)
        await _until_failure(h, pilot)
        assert _toasts(h.app, "Run failed") and not _toasts(h.app, "Alert: failure")
        commands = [c.title for c in h.app.get_system_commands(h.app.screen)]
        assert "Unmute alert: failure" in commands
