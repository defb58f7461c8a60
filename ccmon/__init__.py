"""ccmon: a live terminal monitor for CloudCruise browser-agent runs."""

__version__ = "0.1.0"
