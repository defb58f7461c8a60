"""ccmon's themes: a dark one, a light one, and an ANSI one that follows the terminal's
own 16-colour palette (chosen by itself under NO_COLOR or on a terminal with few colours)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from textual.theme import BUILTIN_THEMES, Theme

DARK = Theme(
    name="ccmon-dark",
    primary="#4F9CF7",
    secondary="#7AA2F7",
    accent="#E0AF68",
    warning="#E0AF68",
    error="#F7768E",
    success="#9ECE6A",
    foreground="#D6DAE6",
    background="#13151C",
    surface="#1A1D27",
    panel="#232735",
    dark=True,
)
LIGHT = Theme(
    name="ccmon-light",
    primary="#1F5FBF",
    secondary="#3A6EA5",
    accent="#A15C00",
    warning="#A15C00",
    error="#B3261E",
    success="#2E7D32",
    foreground="#1B1D24",
    background="#F7F7F5",
    surface="#EDEDEA",
    panel="#E1E3EA",
    dark=False,
)
ANSI = replace(BUILTIN_THEMES["ansi-dark"], name="ccmon-ansi")
THEMES = (DARK, LIGHT, ANSI)
ALIASES = {"dark": DARK.name, "light": LIGHT.name, "ansi": ANSI.name}


def few_colours(environ: Mapping[str, str]) -> bool:
    """A terminal that says it has 16 colours or fewer (the Linux console, plain xterm,
    vt100, a TERM=dumb session) and does not claim truecolor."""
    if environ.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return False
    term = environ.get("TERM", "").lower()
    if not term:
        return False
    return "256" not in term and "direct" not in term and "truecolor" not in term


def pick_theme(requested: str | None, environ: Mapping[str, str], no_color: bool = False) -> str:
    """The theme to start with: the one asked for, else ANSI under NO_COLOR or on a
    terminal with few colours, else dark."""
    if requested:
        return ALIASES.get(requested, requested)
    if no_color or few_colours(environ):
        return ANSI.name
    return DARK.name
