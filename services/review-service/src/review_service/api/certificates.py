"""NAT-10's signed e-certificates: a document's certificate PDF for its readers, and the issuing office's
published signing certificate, against which anyone verifies a certificate offline."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from cryptography import x509
from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field
from zhicheng_kernel.auth import CurrentPrincipal

from ..service_layer import certificates
from .deps import ContextDep

router = APIRouter(prefix="/api/v1/documents", tags=["职称资格文件"])


class SigningCertificate(BaseModel):
    """The issuing office's published certificate: a certificate's PAdES signature verifies against it."""

    pem: str = Field(description="发证机关签名证书（PEM，含证书链）")
    subject: str = Field(description="证书主体")
    sha256: str = Field(description="证书 SHA-256 指纹（十六进制）")
    not_valid_after: datetime


@router.get(
    "/signing-certificate",
    response_model=SigningCertificate,
    summary="发证机关签名证书（公开，用于离线验证电子证书签名，NAT-10）",
)
async def signing_certificate(ctx: ContextDep) -> SigningCertificate:
    pem = certificates.signer_of(ctx).certificate_pem()
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    return SigningCertificate(
        pem=pem,
        subject=cert.subject.rfc4514_string(),
        sha256=certificates.certificate_fingerprint(pem),
        not_valid_after=cert.not_valid_after_utc,
    )


@router.get(
    "/{document_id}/certificate.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}},
    summary="下载职称资格电子证书（PDF，发证机关电子签名，NAT-10）",
)
async def certificate_pdf(
    document_id: Annotated[str, Path(pattern=r"^[0-9A-Za-z-]{1,64}$")], principal: CurrentPrincipal, ctx: ContextDep
) -> Response:
    pdf = await certificates.certificate_pdf(ctx, principal, document_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="certificate-{document_id}.pdf"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
