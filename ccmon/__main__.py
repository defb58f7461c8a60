"""``python -m ccmon``."""

import sys

from ccmon.cli import main

sys.exit(main())
