"""A CloudCruise API simulator: a simulated workspace behind the documented HTTP API.

No Textual here: the simulator is used in-process (`Simulator.client()`), by `ccmon demo`,
and served on loopback by `ccmon sim` (see `server.py`).
"""

from .clock import Clock, ManualClock, SystemClock
from .config import SimConfig
from .faults import ConnectionDropped, Fault, FaultSet
from .hostile import HOSTILE_STRINGS
from .records import ACTIVE_STATUSES, STATUSES, TERMINAL_STATUSES, RunRecord
from .simulator import BASE_URL, Simulator, build_simulator
from .transport import SimTransport
from .workspace import Workspace

__all__ = [
    "ACTIVE_STATUSES",
    "BASE_URL",
    "HOSTILE_STRINGS",
    "STATUSES",
    "TERMINAL_STATUSES",
    "Clock",
    "ConnectionDropped",
    "Fault",
    "FaultSet",
    "ManualClock",
    "RunRecord",
    "SimConfig",
    "SimTransport",
    "Simulator",
    "SystemClock",
    "Workspace",
    "build_simulator",
]
