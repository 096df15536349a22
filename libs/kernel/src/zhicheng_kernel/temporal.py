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
from pathlib import Path
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
from temporalio.service import RPCError, TLSConfig

from .settings import ServiceSettings
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


def temporal_tls(settings: ServiceSettings) -> TLSConfig | bool:
    """mTLS to the Temporal server (finding 9 of issue 12) from ZC_TEMPORAL_TLS_CA/CERT/KEY (PEM files;
    ZC_TEMPORAL_TLS_SERVER_NAME when the certificate names another host); plain text when none is set
    (the local dev server). Production settings refuse a remote server without them."""
    files = (settings.temporal_tls_ca, settings.temporal_tls_cert, settings.temporal_tls_key)
    if all(f is None for f in files):
        return False
    ca, cert, key = (Path(f).read_bytes() if f is not None else None for f in files)
    return TLSConfig(
        server_root_ca_cert=ca,
        client_cert=cert,
        client_private_key=key,
        domain=settings.temporal_tls_server_name or None,
    )


class TemporalGateway:
    """One lazily connected client per service; starts are idempotent (same id: use the existing run)."""

    def __init__(self, address: str, namespace: str, task_queue: str, tls: TLSConfig | bool | None = None) -> None:
        self.address = address
        self.namespace = namespace
        self.task_queue = task_queue
        # None: the process's own ZC_TEMPORAL_TLS_* settings (temporal_tls)
        self.tls = tls
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    async def client(self) -> Client:
        async with self._lock:
            if self._client is None:
                tls = self.tls if self.tls is not None else temporal_tls(ServiceSettings())
                self._client = await Client.connect(
                    self.address,
                    namespace=self.namespace,
                    data_converter=pydantic_data_converter,
                    tls=tls,
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
