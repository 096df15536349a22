"""Starting and signalling the committee-session workflow in Temporal.

review-service does not import the workflows package: it starts `CommitteeSessionWorkflow` by
name with a JSON input of the same shape, so the two deploy independently.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from temporalio.client import Client
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

log = logging.getLogger(__name__)

WORKFLOW_NAME = "CommitteeSessionWorkflow"
ZC_YEAR = SearchAttributeKey.for_int("ZcYear")
ZC_SERIES = SearchAttributeKey.for_keyword("ZcSeries")
ZC_STATUS = SearchAttributeKey.for_keyword("ZcStatus")


class TemporalGateway:
    def __init__(self, address: str, namespace: str, task_queue: str) -> None:
        self.address = address
        self.namespace = namespace
        self.task_queue = task_queue
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    async def client(self) -> Client:
        async with self._lock:
            if self._client is None:
                self._client = await Client.connect(
                    self.address, namespace=self.namespace, data_converter=pydantic_data_converter
                )
            return self._client

    async def start_session(self, workflow_id: str, workflow_input: dict[str, Any]) -> None:
        """Start the session's workflow; starting it again is harmless (same id, use existing)."""
        client = await self.client()
        attributes = TypedSearchAttributes(
            [
                SearchAttributePair(ZC_YEAR, int(workflow_input["year"])),
                SearchAttributePair(ZC_SERIES, str(workflow_input["series"])),
                SearchAttributePair(ZC_STATUS, "voting"),
            ]
        )
        try:
            await self._start(client, workflow_id, {**workflow_input, "search_attributes": True}, attributes)
        except RPCError as exc:
            # A server without our search attributes refuses the start; run without them.
            if "search attribute" not in str(exc).lower():
                raise
            log.warning("search attributes not registered on Temporal (%s); starting without them", exc)
            await self._start(client, workflow_id, {**workflow_input, "search_attributes": False}, None)

    async def _start(
        self,
        client: Client,
        workflow_id: str,
        workflow_input: dict[str, Any],
        attributes: TypedSearchAttributes | None,
    ) -> None:
        try:
            await client.start_workflow(
                WORKFLOW_NAME,
                workflow_input,
                id=workflow_id,
                task_queue=self.task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                # A finished session must never run a second time under the same id.
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=attributes,
            )
        except WorkflowAlreadyStartedError:
            log.info("workflow %s already started", workflow_id)

    async def signal(self, workflow_id: str, signal: str, arg: dict[str, Any] | None = None) -> None:
        client = await self.client()
        handle = client.get_workflow_handle(workflow_id)
        if arg is None:
            await handle.signal(signal)
        else:
            await handle.signal(signal, arg)
