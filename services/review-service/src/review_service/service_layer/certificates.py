"""Signed e-certificates (NAT-10): each qualification document's PDF, rendered and signed lazily — on the
first request, or by the background renderer after issuance — and kept, so issuing thousands of
documents never waits for a PDF and a certificate's bytes never change once handed out."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import tempfile
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from sqlalchemy import Row, exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import Principal
from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.errors import DomainError, Forbidden, not_found
from zhicheng_kernel.roles import BUSINESS_ROLES
from zhicheng_kernel.signing import self_signed_certificate
from zhicheng_kernel.titles import level_zh

from ..adapters.certificate_pdf import CertificateContent, render_certificate, verification_link
from ..adapters.certificate_signer import CertificateSigner, PadesSigner
from ..adapters.tables import candidates, certificate_pdfs, documents, organizations
from ..context import ReviewContext
from ..domain.documents import route_zh
from ..settings import ReviewSettings

log = logging.getLogger(__name__)


def pades_signer(settings: ReviewSettings) -> PadesSigner:
    """The issuing office's signer: its key and certificate files; outside production, when not given, a
    self-signed pair in the issuer's name generated (or reused) where the settings say, logged."""
    if settings.certificate_key_file is not None and settings.certificate_cert_file is not None:
        return PadesSigner.from_files(settings.certificate_key_file, settings.certificate_cert_file)
    if settings.environment == "production":  # the settings' validator refuses this first
        raise RuntimeError("production signs certificates with the issuing office's own key only")
    if settings.certificate_dir is not None:
        directory = settings.certificate_dir
    elif settings.data_dir is not None:
        directory = settings.data_dir / "review-service"
    else:
        directory = Path(tempfile.mkdtemp(prefix="zc-review-certificate-"))
    key_file, cert_file = self_signed_certificate(settings.certificate_issuer_name, directory)
    log.warning(
        "certificates are signed with a self-signed development key (%s, certificate %s) in the name of %s; "
        "set ZC_CERTIFICATE_KEY_FILE and ZC_CERTIFICATE_CERT_FILE for the issuing office's own",
        key_file,
        cert_file,
        settings.certificate_issuer_name,
    )
    return PadesSigner.from_files(key_file, cert_file)


def signer_of(ctx: ReviewContext) -> CertificateSigner:
    if ctx.certificate_signer is None:
        raise RuntimeError("review-service was started without a certificate signer")
    return ctx.certificate_signer


def certificate_fingerprint(pem: str) -> str:
    """The SHA-256 fingerprint of a PEM certificate (hex), as a verifier compares it."""
    return x509.load_pem_x509_certificate(pem.encode("ascii")).fingerprint(hashes.SHA256()).hex()


async def certificate_pdf(ctx: ReviewContext, principal: Principal, document_id: str) -> bytes:
    """The document's signed certificate for its readers — the holder, and the business staff of the
    holder's employer chain up to the title offices (the documents list's readers, less the applicants
    and experts who merely work there); services too. A revoked document has no certificate (410)."""
    async with ctx.db.read() as conn:
        row = (await conn.execute(select(documents).where(documents.c.document_id == document_id))).first()
        if row is None or not _may_read(principal, row):
            raise not_found("职称资格文件", "document_not_found", document_id)
        if not _reads_as_staff_or_holder(principal, row):
            raise Forbidden(
                "certificate_forbidden",
                "只有证书持有人、其所在单位及上级主管部门、职改办的业务人员可以下载该证书。",
            )
        if row.revoked_at is not None:
            raise DomainError(
                "document_revoked",
                "该职称资格文件已被撤销，证书不再提供下载；公开查验显示其已撤销。",
                status=410,
                rule="NAT-8",
            )
        stored = (
            await conn.execute(select(certificate_pdfs.c.pdf).where(certificate_pdfs.c.document_id == document_id))
        ).scalar()
    if stored is not None:
        return bytes(stored)
    return await _produce(ctx, row)


def _may_read(principal: Principal, row: Row[Any]) -> bool:
    """The documents list's readers: the holder, the holder's employer chain (subtree), services."""
    if principal.kind == "service" or principal.subject == row.applicant_id:
        return True
    return principal.kind == "user" and bool(row.org_path) and principal.covers(row.org_path)


def _reads_as_staff_or_holder(principal: Principal, row: Row[Any]) -> bool:
    if principal.kind == "service" or principal.subject == row.applicant_id:
        return True
    return principal.has(*BUSINESS_ROLES)  # not a system administrator, applicant or expert as such


async def render_pending(ctx: ReviewContext) -> int:
    """The background renderer's round: the oldest issued documents without a certificate (revoked ones
    never), at most the settings' batch size; a failure is logged and retried at the next round."""
    async with ctx.db.read() as conn:
        rows = (
            await conn.execute(
                select(documents)
                .where(
                    ~exists().where(certificate_pdfs.c.document_id == documents.c.document_id),
                    documents.c.revoked_at.is_(None),
                )
                .order_by(documents.c.issued_at, documents.c.number)
                .limit(ctx.settings.certificate_batch_size)
            )
        ).all()
    produced = 0
    for row in rows:
        try:
            await _produce(ctx, row)
            produced += 1
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("certificate of document %s not rendered: %s", row.document_id, exc)
    return produced


async def _produce(ctx: ReviewContext, row: Row[Any]) -> bytes:
    """Render (in a thread: font subsetting is CPU work), sign, and keep; when two producers race, the
    first stored certificate is the one both answer."""
    signer = signer_of(ctx)
    async with ctx.db.read() as conn:
        content = await certificate_content(ctx, conn, row)
    signed = await signer.sign(await asyncio.to_thread(render_certificate, content))
    async with ctx.db.transaction() as conn:
        await conn.execute(
            insert(certificate_pdfs)
            .values(
                document_id=row.document_id,
                pdf=signed,
                sha256=hashlib.sha256(signed).hexdigest(),
                signer_sha256=certificate_fingerprint(signer.certificate_pem()),
                rendered_at=ctx.clock.now(),
            )
            .on_conflict_do_nothing(index_elements=["document_id"])
        )
        kept = (
            await conn.execute(select(certificate_pdfs.c.pdf).where(certificate_pdfs.c.document_id == row.document_id))
        ).scalar_one()
    return bytes(kept)


async def certificate_content(ctx: ReviewContext, conn: AsyncConnection, row: Row[Any]) -> CertificateContent:
    """What the document's certificate prints: the document's own facts, the employer's name (the last
    organization of the holder's path, from org-service's events), the specialty the candidate was pushed
    with (a route without a committee has none recorded here), the issuing office of the signing key."""
    payload = row.payload
    employer_id = (row.org_path or "").strip("/").rsplit("/", 1)[-1]
    employer = (
        (await conn.execute(select(organizations.c.name).where(organizations.c.org_id == employer_id))).scalar()
        if employer_id
        else None
    )
    specialty = (
        await conn.execute(select(candidates.c.specialty).where(candidates.c.application_id == row.application_id))
    ).scalar()
    level = payload.get("level")
    return CertificateContent(
        number=row.number,
        holder=row.applicant_name,
        employer=employer or "—",
        series=payload.get("series", ""),
        level=level_zh(level) if level else "—",
        specialty=specialty,
        route=route_zh(payload.get("route", "committee")),
        issuer=ctx.settings.certificate_issuer_name,
        issued_on=china_today(row.issued_at),
        verification_url=verification_link(ctx.settings.public_base_url, row.number),
        annotations=list(payload.get("annotations", [])),
    )


# -- for make demo: the certificate as its holder downloads it, checked as anyone would ---------------
