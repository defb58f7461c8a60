"""Start the installed app headless against the demo simulator; check a style applied."""

import asyncio
import sys
from pathlib import Path

import ccmon
from ccmon.config import Settings
from ccmon.demo import build_demo
from ccmon.ui.app import CcmonApp, styles_dir


async def main() -> int:
    here = Path(ccmon.__file__).parent
    assert "site-packages" in str(here), f"not the installed package: {here}"
    assert styles_dir() == here / "_styles", styles_dir()
    demo = build_demo(Settings(), history=200)
    app = CcmonApp(demo.monitor)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.5)
        line = app.screen.query_one("#status-line")
        summary = app.screen.query_one("#summary")
        # both rules come from styles/app.tcss and styles/main.tcss only
        assert line.styles.height is not None and line.styles.height.value == 1, line.styles.height
        assert summary.styles.border_bottom[0] == "solid", summary.styles.border_bottom
    print(f"wheel smoke: ok (styles from {styles_dir()})")
    return 0


sys.exit(asyncio.run(main()))
