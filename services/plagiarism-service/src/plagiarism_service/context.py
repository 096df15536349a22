"""What the routes, the consumer and the background jobs of this process share: the kernel's parts,
the corpus index, the lock that orders its updates, and the check worker's state."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

from zhicheng_kernel.context import ServiceContext

from .adapters.shared_index import SharedIndex

SERVICE_NAME = "plagiarism-service"


@dataclass
class PlagiarismContext(ServiceContext):
    index: SharedIndex = field(default_factory=SharedIndex)
    # Corpus changes of this process go through one at a time, so that the order in which the
    # index is updated is the order in which the transactions committed.
    corpus_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Issue 12, finding 1: checks are computed by a worker of their own (never inside the consumer's
    # transaction; a commit of this process wakes it: Database.changed); these are the checks it is computing now.
    computing: set[uuid.UUID] = field(default_factory=set)
    # Issue 12, finding 17: the last position of the shared event store this replica's index reflects.
    index_position: int = 0
