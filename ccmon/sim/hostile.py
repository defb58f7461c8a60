"""Hostile strings: text a monitor must render as inert data, never as markup or escapes.

`HOSTILE_STRINGS` is public so tests elsewhere in the project can reuse it.
"""

from __future__ import annotations

import random

__all__ = ["HOSTILE_STRINGS", "Texter"]

_LONG = "Element not found after waiting 30000ms: " + ("//div[@class='row']/span" * 220)

HOSTILE_STRINGS: list[str] = [
    # Rich / Textual markup
    "[bold red]x[/]",
    "[@click=app.quit]quit[/]",
    "[link=https://evil.example]x[/link]",
    "[reverse][blink]ALERT[/blink][/reverse] [/]unbalanced close",
    "[on red]  [/on red][i]italic[/i] \\[escaped] [b]",
    # ANSI and OSC escape sequences
    "\x1b[31mred\x1b[0m",
    "\x1b[2J\x1b[Hscreen cleared",
    "\x1b]52;c;aGk=\x07",
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "\x1b]0;new window title\x07",
    # control characters
    "null\x00byte",
    "bell\x07 backspace\x08\x08 vertical\x0btab form\x0cfeed",
    "carriage\rreturn overwrite",
    "tab\tand\nnewline\r\nand DEL\x7f",
    "\x1b",
    "\u202eevil.exe\u202c (RTL override)",
    "zero\u200bwidth\u200djoiner\ufeffBOM",
    # right-to-left scripts, combining marks, emoji
    "שגיאה בכניסה למערכת",
    "خطأ في تسجيل الدخول",
    "mixed עברית and English and عربي",
    "Z\u0351\u0358a\u0360\u035f\u0351l\u0363\u0366g\u0344\u0312o\u0335",
    "🤖🔥 run failed 💥👩‍👩‍👧‍👦🏳️‍🌈",
    "全角文字のエラーメッセージ",
    # very long strings
    _LONG,
    "A" * 6000,
    "word " * 1200,
    # lookalikes and odd-but-valid text
    "",
    " ",
    "None",
    "null",
    "<script>alert(1)</script>",
    "%s%s%n {0} {{x}} ${HOME} `rm -rf /`",
]


class Texter:
    """Passes generated text through, or (in hostile mode) sometimes swaps in hostile text."""

    def __init__(self, hostile: bool, rate: float = 0.3) -> None:
        self.hostile = hostile
        self.rate = rate

    def __call__(self, rng: random.Random, text: str) -> str:
        if not self.hostile or rng.random() >= self.rate:
            return text
        evil = rng.choice(HOSTILE_STRINGS)
        mode = rng.random()
        if mode < 0.4:
            return evil
        if mode < 0.8:
            return f"{text} {evil}"
        return f"{evil}{text}{evil}"
