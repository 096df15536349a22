"""Registries the rules read, maintained by the city 职改办 (role title_office_review at the city-level
title office): journals, retained commendation programmes, bridged skill fields, front-line rosters,
the research-integrity blacklist and the series' level requirements — by entry, or by CSV/Excel file."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Form, Query, UploadFile
from fastapi.responses import Response
from pydantic import StringConstraints
from zhicheng_kernel.auth import CurrentPrincipal, Principal, require_role
from zhicheng_kernel.errors import Forbidden, InvalidInput
from zhicheng_kernel.inputs import CleanText, LimitQuery, OffsetQuery
from zhicheng_kernel.roles import Role

from ..adapters.spreadsheets import XLSX_MEDIA_TYPE
from ..domain.registry_specs import MAX_CELL_CHARS, REGISTRIES
from ..service_layer import registries as use
from .deps import ContextDep, PathText
from .responses import RegistryCatalogue, RegistryEntries, RegistryEntryOut, RegistryImportOut, file_download

router = APIRouter(prefix="/api/v1/registries", tags=["名录维护"])
MAX_FILE_BYTES = 5 * 1024 * 1024
# One entry as a form sends it: at most 50 columns of scalar cells, each checked by the registry's spec.
Cell = Annotated[str, StringConstraints(max_length=MAX_CELL_CHARS)] | int | float | bool | None
EntryIn = Annotated[dict[Annotated[str, StringConstraints(max_length=64)], Cell], Body(max_length=50)]
# Who may read: the blacklist only offices and auditors; the other registries everyone signed in.
BLACKLIST_READERS = (Role.TITLE_OFFICE_REVIEW, Role.AUDITOR, Role.PUSH)


async def maintainer(principal: Principal, ctx: ContextDep, rule: str | None = None) -> None:
    """`rule`: the rule that makes this the city office's task, named in the refusal when there is one."""
    require_role(principal, Role.TITLE_OFFICE_REVIEW)
    await use.require_city_office(ctx, principal.org_id, rule)


def _may_read(principal: Principal, name: str) -> None:
    if name != "blacklist" or principal.kind == "service":
        return
    if not principal.has(*BLACKLIST_READERS) or principal.org_kind != "title_office":
        raise Forbidden("role_required", "科研诚信黑名单仅职改办的审核、推送和审计人员可以查看。")


def attachment(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"},
    )


@router.get("", response_model=RegistryCatalogue, summary="名录一览")
async def catalogue(principal: CurrentPrincipal) -> dict[str, Any]:
    return {
        "items": [
            {"name": s.name, "title": s.title_zh, "key": list(s.key), "columns": [c.name for c in s.columns]}
            for s in REGISTRIES.values()
        ]
    }


@router.get("/{name}", response_model=RegistryEntries, summary="名录条目（按主键排序，服务器分页，可按关键词筛选）")
async def entries(
    name: PathText,
    principal: CurrentPrincipal,
    ctx: ContextDep,
    q: Annotated[CleanText | None, Query(max_length=100, description="关键词：主键或任一列包含该词")] = None,
    limit: LimitQuery = 100,
    offset: OffsetQuery = 0,
) -> dict[str, Any]:
    spec = use.spec_of(name)
    _may_read(principal, name)
    words = q.strip() if q else None
    items, total = await use.entries_page(ctx, spec, q=words or None, limit=limit, offset=offset)
    return {"registry": name, "title": spec.title_zh, "items": items, "total": total, "offset": offset, "limit": limit}


@router.put("/{name}/entries", response_model=RegistryEntryOut, summary="新增或修改一个条目")
async def put_entry(name: PathText, body: EntryIn, principal: CurrentPrincipal, ctx: ContextDep) -> dict[str, Any]:
    spec = use.spec_of(name)
    await maintainer(principal, ctx)
    return await use.record_entry(ctx, spec, body, principal.subject)


# Keys are `{key:path}`: every real CN number holds a "/" (CN62-1105/R), and an entry must still be
# addressable by it, whether the client sends the slash as is or percent-encoded.


@router.get("/{name}/entries/{key:path}", response_model=RegistryEntryOut, summary="查看一个条目")
async def get_entry(name: PathText, key: PathText, principal: CurrentPrincipal, ctx: ContextDep) -> dict[str, Any]:
    spec = use.spec_of(name)
    _may_read(principal, name)
    return await use.entry_of(ctx, spec, key)


@router.put("/{name}/entries/{key:path}", response_model=RegistryEntryOut, summary="替换一个条目")
async def replace_entry(
    name: PathText, key: PathText, body: EntryIn, principal: CurrentPrincipal, ctx: ContextDep
) -> dict[str, Any]:
    spec = use.spec_of(name)
    await maintainer(principal, ctx)
    return await use.replace_entry(ctx, spec, key, body, principal.subject)


@router.delete("/{name}/entries/{key:path}", status_code=204, summary="删除一个条目")
async def delete_entry(name: PathText, key: PathText, principal: CurrentPrincipal, ctx: ContextDep) -> Response:
    spec = use.spec_of(name)
    await maintainer(principal, ctx)
    await use.remove_entry(ctx, spec, key, principal.subject)
    return Response(status_code=204)


@router.post(
    "/{name}/import",
    response_model=RegistryImportOut,
    summary="从 CSV 或 Excel 导入（replace：整表替换；merge：按主键合并）",
)
async def import_file(
    name: PathText,
    file: UploadFile,
    principal: CurrentPrincipal,
    ctx: ContextDep,
    mode: Annotated[Literal["replace", "merge"], Form()] = "merge",
) -> dict[str, Any]:
    spec = use.spec_of(name)
    await maintainer(principal, ctx)
    content = await file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput("registry_file_too_large", "导入文件不能超过 5 MB。", field="file", status=413)
    parsed = use.parse_file(spec, content, file.filename or "")
    return await use.import_entries(ctx, spec, parsed, mode, file.filename or "upload", principal.subject)


@router.get(
    "/{name}/export",
    summary="导出为 CSV 或 Excel",
    response_class=Response,
    responses=file_download(XLSX_MEDIA_TYPE, "text/csv"),
)
async def export(
    name: PathText,
    principal: CurrentPrincipal,
    ctx: ContextDep,
    format: Annotated[Literal["csv", "xlsx"], Query()] = "xlsx",
) -> Response:
    spec = use.spec_of(name)
    _may_read(principal, name)
    content = use.export(spec, await use.list_entries(ctx, spec), format)
    media = XLSX_MEDIA_TYPE if format == "xlsx" else "text/csv; charset=utf-8"
    return attachment(content, media, f"{name}.{format}")
