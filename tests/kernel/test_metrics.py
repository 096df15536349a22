"""Request metrics without servers: counted by the route's template, never the raw path; /metrics is
refused to what came through the public gateway."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from prometheus_client import generate_latest
from zhicheng_kernel.metrics import install_metrics
from zhicheng_kernel.problems import install_problem_handlers


async def test_requests_are_counted_by_route_template_and_status() -> None:
    app = FastAPI()
    metrics = install_metrics(app)
    install_problem_handlers(app)

    @app.get("/api/v1/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        for ident in ("a", "b", "c"):
            assert (await client.get(f"/api/v1/things/{ident}")).status_code == 200
        assert (await client.get("/nowhere/620802198001010011")).status_code == 404
        refused = await client.get("/metrics", headers={"X-Zc-Edge": "public"})
        assert refused.status_code == 403 and refused.json()["code"] == "metrics_internal"

    exposed = generate_latest(metrics.registry).decode()
    assert 'zc_http_requests_total{method="GET",route="/api/v1/things/{thing_id}",status="200"} 3.0' in exposed
    assert 'zc_http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in exposed
    assert "620802198001010011" not in exposed and '"/api/v1/things/a"' not in exposed
    assert 'zc_http_request_duration_seconds_count{method="GET",route="/api/v1/things/{thing_id}"} 3.0' in exposed
