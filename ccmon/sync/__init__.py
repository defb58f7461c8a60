"""The sync engine: polling, state and metrics. Imports no Textual."""

from ccmon.sync.journal import Journal
from ccmon.sync.metrics import Metrics, compute
from ccmon.sync.poller import Poller, SyncConfig
from ccmon.sync.records import ChangeSet, Health, RunRecord
from ccmon.sync.store import PriorityLookup, RunStore

__all__ = [
    "ChangeSet",
    "Health",
    "Journal",
    "Metrics",
    "Poller",
    "PriorityLookup",
    "RunRecord",
    "RunStore",
    "SyncConfig",
    "compute",
]
