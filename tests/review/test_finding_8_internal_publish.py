"""Issue 12, finding 8 (review side), pure: the workflow's internal `publish` step refuses a
compressed publicity period in production (NAT-3: the period is counted in working days)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from review_service.service_layer import outcomes
from zhicheng_kernel.errors import Forbidden


async def test_finding_8_internal_publish_refuses_publicity_seconds_in_production_nat_3() -> None:
    """Finding 8: "`/internal` endpoints trust any of them — ... `publish` accepts `publicity_seconds`
    in production". A service token cannot shorten NAT-3's publicity to seconds in production."""
    ctx: Any = SimpleNamespace(settings=SimpleNamespace(environment="production"))
    with pytest.raises(Forbidden) as err:
        await outcomes.publish(ctx, "s1", "workflows", publicity_seconds=3, publicity_working_days=5)
    assert (err.value.code, err.value.rule, err.value.field) == (
        "publicity_seconds_not_allowed",
        "NAT-3",
        "publicity_seconds",
    )
