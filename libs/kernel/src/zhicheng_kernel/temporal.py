"""Starting and signalling Temporal workflows from a service.

Services do not import the workflows package: they start a workflow by name with a JSON input of the
shape its models declare, so the two deploy independently. Every workflow of the system is started
with a deterministic id and the search attributes below (registered by the local stack; a server
without them is tolerated: the workflow starts without, and its input says so).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
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

from .telemetry import temporal_interceptors

log = logging.getLogger(__name__)

# The search attributes operators filter by in the Temporal UI ("2021, 卫生系列, waiting for the province").
ZC_YEAR = SearchAttributeKey.for_int("ZcYear")
ZC_SERIES = SearchAttributeKey.for_keyword("ZcSeries")
ZC_STATUS = SearchAttributeKey.for_keyword("ZcStatus")  # the workflow's stage
ZC_OFFICE = SearchAttributeKey.for_keyword("ZcOffice")  # the organising / pushing office's org id
ZC_COUNTY = SearchAttributeKey.for_keyword("ZcCounty")
SEARCH_ATTRIBUTE_TYPES: dict[str, str] = {
    "ZcYear": "Int",
    "ZcSeries": "Keyword",
    "ZcCounty": "Keyword",
    "ZcStatus": "Keyword",
    "ZcOffice": "Keyword",
}
_KEYS: dict[str, SearchAttributeKey[Any]] = {
    "ZcYear": ZC_YEAR,
    "ZcSeries": ZC_SERIES,
    "ZcStatus": ZC_STATUS,
    "ZcOffice": ZC_OFFICE,
    "ZcCounty": ZC_COUNTY,
}


def search_attributes(values: Mapping[str, int | str]) -> TypedSearchAttributes:
    """Typed search attributes from {"ZcYear": 2021, "ZcSeries": "卫生系列", ...}."""
    return TypedSearchAttributes([SearchAttributePair(_KEYS[name], value) for name, value in values.items()])


class TemporalGateway:
    """One lazily connected client per service; starts are idempotent (same id: use the existing run)."""

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
                    self.address,
                    namespace=self.namespace,
                    data_converter=pydantic_data_converter,
                    interceptors=temporal_interceptors(),  # starts and signals carry the request's trace
                )
            return self._client

    async def start(
        self,
        workflow_name: str,
        workflow_id: str,
        workflow_input: Mapping[str, Any],
        attributes: Mapping[str, int | str],
    ) -> None:
        """Start `workflow_name` under `workflow_id` with `workflow_input` plus "search_attributes": true,
        or false when the server does not know ours (then it starts without them)."""
        client = await self.client()
        try:
            await self._start(
                client, workflow_name, workflow_id, {**workflow_input, "search_attributes": True}, attributes
            )
        except RPCError as exc:
            if "search attribute" not in str(exc).lower():
                raise
            log.warning("search attributes not registered on Temporal (%s); starting without them", exc)
            await self._start(client, workflow_name, workflow_id, {**workflow_input, "search_attributes": False}, None)

    async def _start(
        self,
        client: Client,
        workflow_name: str,
        workflow_id: str,
        workflow_input: dict[str, Any],
        attributes: Mapping[str, int | str] | None,
    ) -> None:
        try:
            await client.start_workflow(
                workflow_name,
                workflow_input,
                id=workflow_id,
                task_queue=self.task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                # A finished workflow must never run a second time under the same id.
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=search_attributes(attributes) if attributes is not None else None,
            )
        except WorkflowAlreadyStartedError:
            log.info("workflow %s already started", workflow_id)

    async def signal(self, workflow_id: str, signal: str, arg: Any = None) -> None:
        client = await self.client()
        handle = client.get_workflow_handle(workflow_id)
        if arg is None:
            await handle.signal(signal)
        else:
            await handle.signal(signal, arg)
