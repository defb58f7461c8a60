"""Fuzzing the way API data comes in: `/runs` rows and `/run` details, valid ones and ones
broken in every field (wrong types, missing required fields, unknown enums, extra
fields, huge strings, hostile strings, nulls where not nullable).

Three ways in, none of which may raise anything unexpected:

- the models: a row or detail becomes a model or a pydantic ValidationError, nothing else;
- the queue table: RunRows cells, sort values and versions over a RunStore holding it;
- the detail screen's pure rendering (ccmon.ui.screens.detail_render), printed through
  Rich: no escape or bell reaches the terminal, and no secret is shown.

About 2,200 examples in all (see EXAMPLES), in well under 40 s.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from rich.console import Console, RenderableType

from ccmon.api.models import KNOWN_STATUSES, MASK, RunDetail, RunSummary, WorkflowSummary
from ccmon.sim import HOSTILE_STRINGS
from ccmon.sync.store import RunStore
from ccmon.ui.rows import COLUMNS, RunRows
from ccmon.ui.screens import detail_render as render
from ccmon.ui.widgets.table_index import make_sort_key

NOW = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
CANARY = "SECRET-CANARY-7f3a"  # put where ccmon must mask it; must never be rendered
EXAMPLES = {"rows": 700, "details": 500, "table": 500, "render": 500}
FUZZ = settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
SEEN = {name: 0 for name in EXAMPLES}

# --- building blocks -------------------------------------------------------------------


def _hostile(index: int) -> str:
    return HOSTILE_STRINGS[index]


HOSTILE = st.integers(0, len(HOSTILE_STRINGS) - 1).map(_hostile)  # a short repr
HUGE = st.builds(
    lambda n, s: (s * (n // max(1, len(s)) + 1))[:n], st.integers(2_000, 20_000), HOSTILE
)
SHORT = st.text(max_size=30)
TEXT = st.one_of(SHORT, HOSTILE, HUGE)
JUNK = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(SHORT, st.integers(), max_size=3),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(SHORT, inner, max_size=4),
    max_leaves=12,
)
OFFSETS = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=11))]
)
MOMENT = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=OFFSETS
)
NEAR = st.datetimes(
    min_value=datetime(2026, 2, 1), max_value=datetime(2026, 4, 1), timezones=st.just(UTC)
)


def _iso(moment: datetime, zulu: bool) -> str:
    text = moment.isoformat()
    return text.replace("+00:00", "Z") if zulu else text


TIME = st.builds(_iso, st.one_of(NEAR, NEAR, MOMENT), st.booleans())
STATUS = st.one_of(
    st.sampled_from(KNOWN_STATUSES),
    st.sampled_from(["execution.archived", "EXECUTION.SUCCESS", ""]),
    TEXT,
)
SESSION = st.one_of(st.uuids().map(str), TEXT.filter(bool))
URL = st.one_of(
    st.uuids().map(lambda u: f"https://storage.example.com/{u}.png?token=tok{u.hex[:8]}"),
    st.sampled_from(["javascript:alert(1)", "file:///etc/passwd", "http://", "https://x"]),
    TEXT,
    st.none(),
)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


# --- /runs rows ------------------------------------------------------------------------

ROW_FIELDS = (
    "session_id",
    "status",
    "created_at",
    "workflow_id",
    "workspace_id",
    "execution_start",
    "execution_end",
    "dry_run",
    "priority",
)
VALID_ROW = st.fixed_dictionaries(
    {"session_id": SESSION, "status": STATUS},
    optional={
        "created_at": maybe(TIME),
        "workflow_id": maybe(st.one_of(st.uuids().map(str), TEXT)),
        "workspace_id": maybe(TEXT),
        "execution_start": maybe(TIME),
        "execution_end": maybe(TIME),
        "dry_run": maybe(st.booleans()),
        "priority": maybe(st.sampled_from(["HIGH", "medium", " low ", "URGENT", "", "P1"])),
    },
)


@st.composite
def broken(
    draw: st.DrawFn, valid: st.SearchStrategy[dict[str, Any]], fields: tuple[str, ...]
) -> Any:
    """A valid object with one to three fields broken in one of the ways the API can."""
    item = dict(draw(valid))
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["type", "missing", "enum", "extra", "huge", "hostile", "null"]))
        key = draw(st.sampled_from(fields))
        if how == "type":
            item[key] = draw(JUNK)
        elif how == "missing":
            item.pop(key, None)
        elif how == "enum":
            item[key] = draw(st.text(min_size=1, max_size=24))
        elif how == "extra":
            item[draw(SHORT)] = draw(JSON)
        elif how == "huge":
            item[key] = draw(HUGE)
        elif how == "hostile":
            item[key] = draw(HOSTILE)
        else:
            item[key] = None
    return item


NOT_AN_OBJECT = st.one_of(st.none(), JUNK, TEXT, st.lists(JSON, max_size=3))
ROWS = st.one_of(VALID_ROW, broken(VALID_ROW, ROW_FIELDS), NOT_AN_OBJECT)

# --- /run details ------------------------------------------------------------------------

ERROR = st.fixed_dictionaries(
    {},
    optional={
        "error_id": maybe(st.one_of(st.sampled_from(["e1", "e2", "e3"]), TEXT)),
        "message": maybe(TEXT),
        "prompt": maybe(TEXT),
        "full_url": URL,
        "llm_model": maybe(TEXT),
        "created_at": maybe(TIME),
        "error_code": maybe(TEXT),
        "action_type": maybe(TEXT),
        "action_display_name": maybe(TEXT),
        "original_error": maybe(TEXT),
        "llm_error_category": maybe(
            st.one_of(st.sampled_from(["XPATH_INCORRECT", "UPSTREAM_ERROR"]), TEXT)
        ),
        "llm_error_sub_type": maybe(TEXT),
        "llm_error_description": maybe(TEXT),
        "node_id": maybe(TEXT),
        "input_recovery": JSON,
    },
)
ERROR_FIELDS = ("message", "created_at", "full_url", "llm_error_category", "node_id", "error_id")
LINK_TIME = maybe(TIME)
VIDEO = st.fixed_dictionaries(
    {},
    optional={
        "signed_screen_recording_url": URL,
        "signed_screen_recording_url_expires": LINK_TIME,
        "timestamp": LINK_TIME,
    },
)
FILE = st.fixed_dictionaries(
    {},
    optional={
        "signed_file_url": URL,
        "file_name": maybe(TEXT),
        "signed_file_url_expires": LINK_TIME,
        "metadata": maybe(st.dictionaries(SHORT, JSON, max_size=3)),
    },
)
SHOT = st.fixed_dictionaries(
    {},
    optional={
        "signed_screenshot_url": URL,
        "node_display_name": maybe(TEXT),
        "signed_screenshot_url_expires": LINK_TIME,
        "error_screenshot": maybe(st.booleans()),
        "node_id": maybe(TEXT),
    },
)


@st.composite
def vault(draw: st.DrawFn) -> dict[str, Any]:
    """Vault entries: the alias and domain may show; everything else is the secret."""
    entries: dict[str, Any] = {}
    for alias in draw(st.lists(st.one_of(SHORT, HOSTILE), max_size=3, unique=True)):
        if draw(st.booleans()):
            entries[alias] = {
                "user_alias": draw(maybe(TEXT)),
                "domain": draw(maybe(st.one_of(URL, TEXT))),
                "user_id": CANARY,
                "permissioned_id": CANARY + "-perm",
                "password": "<encrypted>" + CANARY,
            }
        else:
            entries[alias] = draw(st.sampled_from([CANARY, [CANARY], 7, None]))
    return entries


@st.composite
def valid_detail(draw: st.DrawFn, errors: st.SearchStrategy[Any] = ERROR) -> dict[str, Any]:
    inputs = draw(st.dictionaries(st.one_of(SHORT, HOSTILE), JSON, max_size=4))
    secret = draw(st.lists(st.one_of(SHORT, HOSTILE), max_size=3, unique=True))
    for key in secret:
        inputs[key] = CANARY  # an encrypted input's value must never show
    entries = draw(vault())
    for alias in entries:
        if draw(st.booleans()):
            inputs[alias] = CANARY  # the input naming a credential holds its id
    errors = draw(st.lists(errors, max_size=4))
    detail: dict[str, Any] = {
        "session_id": draw(SESSION),
        "status": draw(STATUS),
        "input_variables": inputs,
        "encrypted_variables": secret,
        "vault_entries": entries,
        "errors": errors,
    }
    optional = {
        "workflow_id": maybe(st.one_of(st.uuids().map(str), TEXT)),
        "session_retries": maybe(st.integers(0, 2**40)),
        "data": JSON,
        "video_urls": maybe(st.lists(VIDEO, max_size=3)),
        "file_urls": maybe(st.lists(FILE, max_size=3)),
        "screenshot_urls": maybe(st.lists(SHOT, max_size=3)),
        "was_recovered": maybe(st.booleans()),
        "recovered_error_ids": maybe(st.lists(st.sampled_from(["e1", "e2", "x"]), max_size=3)),
        "priority": maybe(st.sampled_from(["HIGH", "low", "?"])),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            detail[key] = draw(strategy)
    return detail


DETAIL_FIELDS = (
    "session_id",
    "status",
    "input_variables",
    "vault_entries",
    "encrypted_variables",
    "session_retries",
    "errors",
    "video_urls",
    "file_urls",
    "screenshot_urls",
    "recovered_error_ids",
    "was_recovered",
)
DETAILS = st.one_of(
    valid_detail(),
    broken(valid_detail(), DETAIL_FIELDS),
    valid_detail(errors=broken(ERROR, ERROR_FIELDS)),  # one error entry broken
    NOT_AN_OBJECT,
)


# --- helpers -----------------------------------------------------------------------------


def model_or_invalid(model: type[Any], payload: Any) -> Any:
    """The only two outcomes allowed: a model, or pydantic's ValidationError."""
    try:
        return model.model_validate(payload)
    except ValidationError:
        return None


def printed(*renderables: RenderableType) -> str:
    """What the terminal would receive, styles off: only text, nothing to interpret."""
    console = Console(width=100, file=io.StringIO(), color_system=None, legacy_windows=False)
    for renderable in renderables:
        console.print(renderable)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b" not in output and "\x07" not in output and "\x9b" not in output
    return output


def store_with(summary: RunSummary, detail: RunDetail | None, name: Any) -> RunStore:
    store = RunStore()
    store.apply_rows([summary])
    if summary.workflow_id and isinstance(name, str):
        store.set_workflows([WorkflowSummary(id=summary.workflow_id, name=name)])
    if detail is not None:
        store.apply_detail(detail.model_copy(update={"session_id": summary.session_id}), NOW)
    return store


# --- the properties ----------------------------------------------------------------------


@settings(FUZZ, max_examples=EXAMPLES["rows"])
@given(ROWS)
def test_rows_become_models_or_validation_errors(payload: Any) -> None:
    SEEN["rows"] += 1
    row = model_or_invalid(RunSummary, payload)
    if row is not None:
        assert isinstance(row.session_id, str) and isinstance(row.status, str)
        json.dumps(row.model_dump(mode="json"))


@settings(FUZZ, max_examples=EXAMPLES["details"])
@given(DETAILS)
def test_details_become_models_or_validation_errors(payload: Any) -> None:
    SEEN["details"] += 1
    detail = model_or_invalid(RunDetail, payload)
    if detail is not None:
        assert 0 <= detail.recovered_count <= len(detail.error_list)
        assert all(
            v == MASK
            for k, v in detail.masked_inputs().items()
            if k in (detail.encrypted_variables or ())
        )


@settings(FUZZ, max_examples=EXAMPLES["table"])
@given(
    st.lists(VALID_ROW | broken(VALID_ROW, ROW_FIELDS), min_size=1, max_size=4),
    maybe(valid_detail()),
    TEXT,
)
def test_table_rows_render_from_any_readable_row(payloads: list[Any], raw: Any, name: Any) -> None:
    SEEN["table"] += 1
    rows = [r for r in (model_or_invalid(RunSummary, p) for p in payloads) if r is not None]
    detail = model_or_invalid(RunDetail, raw) if raw is not None else None
    if not rows:
        return
    store = store_with(rows[0], detail, name)
    store.apply_rows(rows[1:])
    table = RunRows(store, lambda: NOW)
    table.tick()
    for key in store.runs:
        cells = table.row_cells(key)
        assert len(cells) == len(COLUMNS)
        assert isinstance(table.row_version(key), int)
        printed(*cells)
    for column in (None, *(c.key for c in COLUMNS)):
        sorted(make_sort_key(table.sort_value(key, column), key) for key in store.runs)


@settings(FUZZ, max_examples=EXAMPLES["render"])
@given(valid_detail(), VALID_ROW, maybe(TEXT), st.lists(st.one_of(SHORT, HOSTILE), max_size=2))
def test_detail_renders_literally_and_masks_secrets(
    raw: dict[str, Any], row: dict[str, Any], name: str | None, schema_keys: list[str]
) -> None:
    SEEN["render"] += 1
    detail = model_or_invalid(RunDetail, raw)
    summary = model_or_invalid(RunSummary, row)
    if detail is None:
        return
    record = None
    if summary is not None:
        record = store_with(summary, detail, name).get(summary.session_id)
    palette = render.PLAIN
    shown = printed(
        render.overview(
            record,
            detail,
            session_id=detail.session_id,
            workflow_name=name,
            now=NOW,
            secret_keys=schema_keys,
            palette=palette,
        ),
        render.error_summary(detail, palette),
        *(
            render.error_block(n, e, recovered=detail.is_recovered(e), node_name=name)
            for n, e in enumerate(detail.error_list, 1)
        ),
        *(render.link_prompt(link, NOW, palette) for link in render.artifact_links(detail)),
        render.output_preview(detail.data)[0],
    )
    assert CANARY not in shown and "<encrypted>" not in shown
    for link in render.artifact_links(detail):
        if link.url and "token=" in link.url:
            assert link.url not in shown  # signed URLs show redacted


def test_enough_examples_ran(request: pytest.FixtureRequest) -> None:
    """Runs last in this module: the fuzz tests above ran their examples."""
    if any(SEEN.values()) and not all(SEEN.values()):
        pytest.skip("only some fuzz tests were selected")
    if not any(SEEN.values()):
        pytest.skip("no fuzz test was selected")
    total = sum(SEEN.values())
    line = f"fuzz: {total} examples ({', '.join(f'{k} {v}' for k, v in SEEN.items())})"
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is None:
        print(line)
    else:
        with capture.global_and_fixture_disabled():  # past pytest's capture, to the terminal
            print(f"\n{line}")
    assert total >= 2_000
