"""Where each key of a TOML document is written: tomllib gives values, not positions.

A line scanner good for configuration files: table headers, dotted and quoted keys,
inline tables (their keys count as the table's line) and multi-line strings skipped.
"""

from __future__ import annotations

import re
import tomllib

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _read_key(text: str, pos: int) -> tuple[list[str], int] | None:
    """A dotted TOML key at ``pos``: its parts and the position after it."""
    parts: list[str] = []
    while True:
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos < len(text) and text[pos] in "\"'":
            quote = text[pos]
            end = pos + 1
            while end < len(text) and text[end] != quote:
                end += 2 if quote == '"' and text[end] == "\\" else 1
            if end >= len(text):
                return None
            raw = text[pos + 1 : end]
            parts.append(_unescape(raw) if quote == '"' else raw)
            pos = end + 1
        elif match := _BARE.match(text, pos):
            parts.append(match.group())
            pos = match.end()
        else:
            return None
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos < len(text) and text[pos] == ".":
            pos += 1
            continue
        return parts, pos


def _unescape(raw: str) -> str:
    try:
        return str(tomllib.loads(f'k = "{raw}"')["k"])
    except tomllib.TOMLDecodeError:
        return raw


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The 1-based line of every table header and ``key = value`` in ``text``, by full
    dotted path; keys inside inline tables count as their table's line."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        stripped = line.lstrip()
        if stripped.startswith("["):
            array = stripped.startswith("[[")
            parsed = _read_key(stripped, 2 if array else 1)
            if parsed is not None:
                table = tuple(parsed[0])
                lines.setdefault(table, number)
            continue
        parsed = _read_key(stripped, 0)
        if parsed is None or not stripped[parsed[1] :].lstrip().startswith("="):
            continue
        path = (*table, *parsed[0])
        lines.setdefault(path, number)
        for depth in range(len(table) + 1, len(path)):
            lines.setdefault(path[:depth], number)
        rest = stripped[parsed[1] :]
        for quotes in ('"""', "'''"):
            if rest.count(quotes) % 2 == 1:
                in_string = quotes
    return lines
