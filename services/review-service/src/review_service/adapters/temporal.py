"""The committee-session workflow as review-service starts it (by name, through the kernel's gateway)."""

from __future__ import annotations

from typing import Any

from zhicheng_kernel.temporal import TemporalGateway

WORKFLOW_NAME = "CommitteeSessionWorkflow"


async def start_session(temporal: TemporalGateway, workflow_id: str, workflow_input: dict[str, Any]) -> None:
    """Start the session's workflow; starting it again is harmless (same id, use existing)."""
    await temporal.start(
        WORKFLOW_NAME,
        workflow_id,
        workflow_input,
        {"ZcYear": int(workflow_input["year"]), "ZcSeries": str(workflow_input["series"]), "ZcStatus": "voting"},
    )
