"""The table's Segment fast path draws exactly what rendering the row as one Text draws."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.style import Style
from rich.text import Span, Text

from ccmon.ui.widgets.table_layout import Column, build_row_text, compute_layout
from ccmon.ui.widgets.table_render import _to_strip, build_row_strip, is_narrow

CONSOLE = Console(width=200, color_system="truecolor")

PIECES = [
    "a",
    "Z9",
    " ",
    "deploy-nightly",
    "[bold]x[/]",
    "[red]",
    "\\[",
    "…",
    "—",
    "·",
    "◷ queued",
    "✔ ok",
    "▶",
    "‖",
    "↻",
    "漢字",
    "한",
    "😀",
    "👍🏽",
    "❤\ufe0f",
    "👨\u200d👩\u200d👧",
    "e\u0301",
    "\u0301",
    "\x1b[31m",
    "\x00",
    "\x07",
    "\t",
    "\n",
    "\r",
    "\x7f",
    "\x9b",
    "\u200e",
    "\u202e",
    "\xa0",
    "\xad",
    "ÿ",
    "Ωж",
    "⣿",
    "<U+202E>",
]
STYLES = st.sampled_from(
    [
        "",
        "dim",
        "bold red",
        "yellow",
        "reverse",
        "on blue",
        "not a style",
        Style(color="green"),
        Style(bgcolor="red", italic=True),
        Style(),
    ]
)
BASES = st.sampled_from(
    [
        Style(),
        Style(color="white", bgcolor="black"),
        Style(color="#aabbcc", bgcolor="#112233", bold=True),
    ]
)
OVERLAYS = st.sampled_from(
    [
        None,
        Style(),
        Style(bgcolor="blue"),
        Style(color="red", bgcolor="yellow"),
        Style(reverse=True),
        Style(bold=True),
    ]
)
PLAINS = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60),
)


@st.composite
def cells(draw: st.DrawFn) -> Text:
    text = Text(draw(PLAINS), style=draw(STYLES))  # (drops some control characters)
    length = len(text.plain)
    if length and draw(st.booleans()):
        for _ in range(draw(st.integers(1, 3))):
            start = draw(st.integers(0, length))
            end = draw(st.integers(start, length))
            text.spans.append(Span(start, end, draw(STYLES)))
    return text


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[Column], list[Text], int]:
    count = draw(st.integers(1, 8))
    flex = draw(st.one_of(st.none(), st.integers(0, count - 1)))
    columns = [
        Column(
            f"c{index}",
            f"C{index}",
            draw(st.integers(1, 14)),
            align=draw(st.sampled_from(["left", "right"])),
            flex=index == flex,
            min_width=draw(st.integers(1, 6)),
        )
        for index in range(count)
    ]
    row = draw(st.lists(cells(), min_size=0, max_size=count + 1))
    return columns, row, draw(st.integers(0, 120))


def _segments(strip) -> list[tuple[str, Style | None]]:
    return [(segment.text, segment.style) for segment in strip]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), BASES, OVERLAYS)
def test_fast_path_matches_text_path(table, base: Style, overlay: Style | None) -> None:
    columns, row, width = table
    layout = compute_layout(columns, width)
    slow = _to_strip(build_row_text(columns, layout, row), base, overlay, layout.width, CONSOLE)
    fast = build_row_strip(columns, layout, row, base, overlay, CONSOLE, {})
    assert _segments(fast) == _segments(slow)
    assert fast.cell_length == slow.cell_length
    assert _segments(fast) == _segments(fast.simplify())  # already merged


@settings(max_examples=200, deadline=None)
@given(st.lists(cells(), min_size=10, max_size=10), BASES, OVERLAYS, st.integers(1, 200))
def test_fast_path_with_a_shared_style_cache(row, base, overlay, width) -> None:
    from ccmon.ui.rows import COLUMNS

    cache: dict = {}
    layout = compute_layout(COLUMNS, width)
    slow = _to_strip(build_row_text(COLUMNS, layout, row), base, overlay, layout.width, CONSOLE)
    for _ in range(2):  # the second time from the cache
        fast = build_row_strip(COLUMNS, layout, row, base, overlay, CONSOLE, cache)
        assert _segments(fast) == _segments(slow)


def test_truncation_is_rich_ellipsis() -> None:
    for plain in ("abcdefgh", "◷ queued", "x", ""):
        for width in range(1, 12):
            text = Text(plain)
            text.truncate(width, overflow="ellipsis")
            expected = text.plain if len(plain) > width else plain
            ours = plain[: width - 1] + "…" if len(plain) > width else plain
            assert ours == expected


def test_is_narrow() -> None:
    assert is_narrow("deploy 42") and is_narrow("") and is_narrow("✔ ok") and is_narrow("—")
    for plain in ("漢", "😀", "a\tb", "\x1b", "e\u0301", "❤\ufe0f", "\u200e", "\x7f", "a\nb"):
        assert not is_narrow(plain), plain
