"""The public verification page (NAT-10) a certificate's QR code opens: no login, no external asset,
everything escaped. It asks the same query as `GET /api/v1/documents/verify` and shows the document
valid, revoked or unknown, the holder's name masked. The web application will replace it."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import StringConstraints
from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.errors import NotFound
from zhicheng_kernel.inputs import CleanText

from ..adapters.certificate_pdf import date_zh
from ..adapters.rate_limit import RateLimited, client_address
from ..service_layer import queries
from ..service_layer.views import VerifiedDocument
from .deps import ContextDep
from .verification import too_many

router = APIRouter(tags=["职称资格文件"])

# The numbers `GET /api/v1/documents/verify` accepts; anything else is unknown without a query.
NUMBER_LENGTH = range(4, 65)
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
STYLE = """
body{font-family:"Noto Serif SC","Noto Sans SC","Source Han Serif SC",serif;max-width:40rem;margin:2rem auto;
padding:0 1rem;color:#222}
h1{color:#961414;font-size:1.6rem}
.verdict{padding:1rem;border-radius:.4rem;font-size:1.2rem;margin:1rem 0}
.valid{background:#e8f5e9;border:1px solid #2e7d32}.revoked{background:#fdecea;border:1px solid #b71c1c}
.unknown{background:#fff8e1;border:1px solid #f9a825}
dl{display:grid;grid-template-columns:7rem 1fr;gap:.4rem}dt{color:#555}dd{margin:0}
input{width:70%;padding:.3rem}footer{margin-top:2rem;color:#777;font-size:.85rem}
"""


@router.get(
    "/verify",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
    summary="职称资格证书公开查验页面（NAT-10，无需登录）",
)
async def verify_page(
    request: Request,
    ctx: ContextDep,
    number: Annotated[
        Annotated[CleanText, StringConstraints(max_length=200)] | None, Query(description="资格文件号")
    ] = None,
) -> Response:
    wanted = number or ""
    found: VerifiedDocument | None = None
    if len(wanted) in NUMBER_LENGTH:
        try:
            await queries.count_public_check(ctx, client_address(request))
        except RateLimited as limited:
            return too_many(request, limited)
        try:
            found = await queries.verify_document(ctx, wanted)
        except NotFound:
            found = None
    return HTMLResponse(page(wanted, found), headers=HEADERS)


def page(number: str, found: VerifiedDocument | None) -> str:
    """The page for a number: the verdict first, then what the document says (escaped)."""
    if not number:
        body = "<p>请输入职称资格证书（资格文件）编号进行查验。</p>"
    elif found is None:
        body = (
            '<div class="verdict unknown">未查到该编号的职称资格文件。</div>'
            f"<p>查验编号：{escape(number)}。请核对编号；如有疑问，请向发证机关咨询。</p>"
        )
    else:
        verdict = (
            '<div class="verdict valid">该职称资格证书真实有效。</div>'
            if found.valid
            else '<div class="verdict revoked">该职称资格证书已被撤销，不再有效。</div>'
        )
        rows = [
            ("证书编号", found.number),
            ("持证人", found.holder),
            ("系列", found.series or "—"),
            ("资格级别", found.level or "—"),
            ("取得途径", found.route_zh),
            ("注明事项", "；".join(found.annotations) or "无"),
            ("发证日期", date_zh(china_today(found.issued_at))),
        ]
        details = "".join(f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in rows)
        body = f"{verdict}<dl>{details}</dl>"
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>职称资格证书查验</title><style>{STYLE}</style></head><body>"
        "<h1>职称资格证书查验</h1>"
        f"{body}"
        '<form method="get"><label>证书编号 '
        f'<input name="number" maxlength="64" value="{escape(number)}"></label> '
        '<button type="submit">查验</button></form>'
        "<footer>电子职称证书与纸质证书具有同等效力。证书上的电子签名可用发证机关公布的签名证书离线验证。</footer>"
        "</body></html>"
    )
