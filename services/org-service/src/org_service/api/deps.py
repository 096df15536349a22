"""Dependencies of org-service's routers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from zhicheng_kernel.service import ServiceRuntime

from ..security.tokens import TokenIssuer
from ..settings import OrgSettings


def runtime(request: Request) -> ServiceRuntime:
    value: ServiceRuntime = request.app.state.runtime
    return value


def issuer(request: Request) -> TokenIssuer:
    value: TokenIssuer = request.app.state.issuer
    return value


def settings(request: Request) -> OrgSettings:
    value: OrgSettings = request.app.state.settings
    return value


Runtime = Annotated[ServiceRuntime, Depends(runtime)]
Issuer = Annotated[TokenIssuer, Depends(issuer)]
Settings = Annotated[OrgSettings, Depends(settings)]


def org_out(org: dict[str, Any]) -> dict[str, Any]:
    return {
        **{
            k: org[k]
            for k in (
                "code",
                "name",
                "kind",
                "level",
                "division_code",
                "credit_code",
                "function",
                "unit_type",
                "version",
            )
        },
        "registration_level": org["registration_level"],
        "id": str(org["id"]),
        "parent_id": str(org["parent_id"]) if org["parent_id"] else None,
        "path": org["path"],
        "active": org["active"],
    }
