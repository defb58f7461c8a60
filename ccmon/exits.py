"""Exit statuses of the ``ccmon`` commands, and the error that carries one.

0 done; 1 the API or the network failed; 2 a usage or configuration error (including a
refusal in read-only mode); 3 a ``--fail-on`` condition held; 130 interrupted.
"""

from __future__ import annotations

OK = 0
API_ERROR = 1
USAGE = 2
CONDITION = 3
INTERRUPTED = 130


class CommandError(Exception):
    """One line for standard error and the exit status that goes with it."""

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.code = code
