"""``python -m ccmon``."""

import sys

from ccmon.launch import main

sys.exit(main())
