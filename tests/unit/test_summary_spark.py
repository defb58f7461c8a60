"""The summary's own sparkline draws what Textual's Sparkline draws, and the summary lines
repaint without a relayout."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.color import Color
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.renderables.sparkline import Sparkline as SparklineRenderable

from ccmon.ui.widgets.status_line import same_text
from ccmon.ui.widgets.summary import spark_lines

CONSOLE = Console(width=300, color_system="truecolor")
COLORS = st.sampled_from(
    [Color.parse("#00ff00"), Color.parse("#104010"), Color.parse("red"), Color.parse("#123456")]
)


def textual_lines(data, width, height, low, high, base):
    """Textual's renderable under the widget style, cut into lines as Textual does."""
    renderable = SparklineRenderable(
        data, width=width, height=height, min_color=low, max_color=high
    )
    options = CONSOLE.options.update(width=width, height=height, highlight=False)
    segments = (
        Segment(text, base + style, None) for text, style, _ in CONSOLE.render(renderable, options)
    )
    return [
        cells(line)
        for line in Segment.split_and_crop_lines(
            segments, width, include_new_lines=False, pad=False
        )
    ][:height]


def cells(segments):
    """What a line shows, cell by cell: (character, style)."""
    return [(character, s.style) for s in segments for character in s.text]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 500), max_size=130),
    st.integers(1, 120),
    st.integers(1, 3),
    COLORS,
    COLORS,
)
def test_spark_matches_textual_sparkline(data, width, height, low, high) -> None:
    base = Style(color="#d6dae6", bgcolor="#1a1d27")
    ours = [cells(strip) for strip in spark_lines(data, width, height, low, high, base)]
    assert ours == textual_lines(data, width, height, low, high, base)
    assert all(
        strip.cell_length == width
        for strip in spark_lines(data, width, height, low, high, base)
        if list(strip)
    )


def test_same_text_sees_styles_and_spans() -> None:
    a = Text("x 1", style="bold")
    assert same_text(a, Text("x 1", style="bold"))
    assert not same_text(a, Text("x 1"))  # Text.__eq__ would say equal
    b = Text("x 1")
    b.stylize("red", 0, 1)
    assert not same_text(Text("x 1"), b)
    assert not same_text(None, a)


async def test_a_plain_tick_does_not_relayout_the_header_and_summary(tmp_path, monkeypatch) -> None:
    from textual.widget import Widget

    from tests.functional.harness import make_harness

    h = make_harness(tmp_path)
    relayouts: list[str | None] = []
    refresh = Widget.refresh

    def spy(self: Widget, *regions, **kwargs):
        if kwargs.get("layout") and self.id in FIXED:
            relayouts.append(self.id)
        return refresh(self, *regions, **kwargs)

    FIXED = {"status-line", "summary-status", "summary-queue", "summary-spark", "summary"}
    async with h.app.run_test(size=(160, 50)) as pilot:
        await h.tick(0)
        await h.tick(3)
        await pilot.pause()
        monkeypatch.setattr(Widget, "refresh", spy)
        for _ in range(5):
            await h.tick(3)
            await pilot.pause()
        spark = h.app.screen.query_one("#summary-spark")
        assert spark.render_line(0).cell_length == spark.size.width
    assert relayouts == []
