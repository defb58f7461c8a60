"""The ``ccmon`` executable and ``python -m ccmon``.

Start-up makes objects that live as long as the process (modules, models, styles, the
first page of runs), and the garbage collector would scan them over and over while they
are made. So collection is off until the monitor's first poll is on screen
(:meth:`ccmon.ui.app.CcmonApp.start_collecting`) and for other commands until their
arguments are parsed (:func:`ccmon.cli.dispatch`).
"""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    from ccmon.cli import main as cli_main

    return cli_main()
