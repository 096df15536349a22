"""What the routes, the consumer and the background checks of this process share: the kernel's parts,
the corpus index, the lock that orders corpus changes and the long checks still running."""

from __future__ import annotations

import asyncio
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
    # Long checks answered with 202 and finished in the background (kept so they are not collected).
    running: set[asyncio.Task[None]] = field(default_factory=set)
