"""`e` exports the rows the table shows, in its order, cleaned, to CSV or JSON."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from ccmon.ui.export import ExportScreen
from ccmon.ui.text import clean
from ccmon.ui.widgets.table import RunTable
from tests.functional.harness import make_harness

UNSAFE = ("\x1b", "\x07", "\x00", "\u202e")


async def _export(tmp_path: Path, fmt: str) -> tuple[str, list[str], list[str]]:
    h = make_harness(tmp_path, hostile=True)
    target = tmp_path / f"out.{fmt}"
    async with h.app.run_test(size=(120, 40)) as pilot:
        await h.tick(0)
        await pilot.pause()
        await pilot.press("6")  # only failed runs
        await pilot.press("s")  # sorted by status: any order the table shows is kept
        table = h.app.screen.query_one(RunTable)
        shown = table.ordered_keys()
        assert 0 < len(shown) < len(h.monitor.store)
        names = [
            h.monitor.store.workflow_name(h.monitor.store.runs[k].summary.workflow_id)
            for k in shown
        ]
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(h.app.screen, ExportScreen)
        if fmt == "json":
            await pilot.click("#fmt-json")
            await pilot.pause()
        box = h.app.screen.query_one("#export-path")
        assert box.value.startswith("~/ccmon-export-") and box.value.endswith(f".{fmt}")
        box.value = str(target)
        box.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(h.app.screen, ExportScreen)
        assert any(str(target) in str(n.message) for n in h.app._notifications)
    return target.read_text(), shown, [n or "" for n in names]


async def test_csv_matches_the_filtered_table_and_is_clean(tmp_path: Path) -> None:
    text, shown, names = await _export(tmp_path, "csv")
    rows = list(csv.DictReader(text.splitlines()))
    assert [r["session_id"] for r in rows] == shown
    assert {r["status"] for r in rows} == {"✘ failed"}
    assert all(r["created_at"].endswith("Z") for r in rows)
    assert not any(ch in text for ch in UNSAFE)
    assert [r["workflow"] for r in rows] == [clean(n, 80) for n in names]
    assert [r["workflow_name"] for r in rows] == [clean(n) for n in names]
    assert {"workflow", "workflow_id", "execution_end", "errors", "prio"} <= set(rows[0])


async def test_json_matches_the_filtered_table(tmp_path: Path) -> None:
    text, shown, _ = await _export(tmp_path, "json")
    doc = json.loads(text)
    assert doc["schema"] == "ccmon.export/1" and doc["filter"] == "status:failed"
    assert [r["session_id"] for r in doc["runs"]] == shown
    assert not any(ch in text for ch in UNSAFE)
    assert "inputs" not in text and "vault" not in text
