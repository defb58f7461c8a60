"""httpx, imported without its command-line tool.

``import httpx`` also imports ``httpx._main`` (click, pygments, rich.syntax) whenever
click is installed, which it is: uvicorn, for ``ccmon sim``, brings it. ccmon never runs
that tool, and importing it was a tenth of ccmon's start-up. So the first import of
httpx finds it missing and takes the stub ``httpx.main`` that httpx has for this case;
afterwards ``httpx._main`` imports normally again.
"""

from __future__ import annotations

import sys

if "httpx" not in sys.modules:
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx  # noqa: F401
    finally:
        del sys.modules["httpx._main"]
