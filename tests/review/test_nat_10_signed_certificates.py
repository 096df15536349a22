"""NAT-10: electronic title certificates have the force of paper ones and are verified publicly. Each
qualification document is also a PDF certificate in Chinese, set in an embedded (subset) Noto Serif SC
and signed by the issuing office (PAdES); its signature verifies offline with pyHanko's validator against
the published certificate, and its QR code decodes to the public verification page for its number.

The pure tests render and sign without servers; the others run the real review-service (in process, on a
database of its own) fed application-service's envelope of a document issued without a committee."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import ValidationError
from review_service.adapters.ballot_seal import new_ballot_key
from review_service.adapters.certificate_pdf import CertificateContent, render_certificate, verification_link
from review_service.adapters.certificate_signer import PadesSigner
from review_service.adapters.tables import certificate_pdfs, documents
from review_service.app import create_app
from review_service.domain.documents import document_id_for
from review_service.domain.events import QualificationDocumentRevoked
from review_service.service_layer import certificates
from review_service.settings import ReviewSettings
from sqlalchemy import func, select, update
from zhicheng_devstack.certificate_check import check_signature, pages, qr_payloads
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.signing import self_signed_certificate
from zhicheng_kernel.testing import TokenSigner, envelope

from tests.harness import Servers
from tests.review.routes import CITY, UNIT, Review, concluded, isolated

ISSUER = "平凉市职称改革工作领导小组办公室"
PUBLIC = "https://zhicheng.example.cn/review"
NUMBER = "平人社职称〔2026〕00001号"


# -- reading a certificate back: the embedded font, the text, the QR code --------------------------------


def _font(pdf: bytes) -> Any:
    fonts = pages(pdf)[0]["/Resources"]["/Font"]
    [name] = list(fonts)
    return fonts[name]


def _unescape(literal: bytes) -> bytes:
    """A PDF literal string's bytes (the escapes fpdf2 writes: \\n \\r \\t \\b \\f \\( \\) \\\\ \\ddd)."""
    named = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}
    out, i = bytearray(), 0
    while i < len(literal):
        if literal[i : i + 1] == b"\\":
            octal = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(), 8) & 0xFF)
                i += 1 + len(octal.group())
            else:
                out += named.get(literal[i + 1 : i + 2], literal[i + 1 : i + 2])
                i += 2
        else:
            out.append(literal[i])
            i += 1
    return bytes(out)


def certificate_text(pdf: bytes) -> str:
    """The page's text: each shown string's two-byte glyph codes through the font's ToUnicode map."""
    cmap = _font(pdf)["/ToUnicode"].data.decode("latin-1")
    to_unicode = {
        int(code, 16): chr(int(uni, 16)) for code, uni in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]{4})>", cmap)
    }
    contents = b"\n".join(page["/Contents"].data for page in pages(pdf))
    lines = []
    for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", contents, flags=re.DOTALL):
        raw = _unescape(literal)
        lines.append("".join(to_unicode.get(int.from_bytes(raw[i : i + 2], "big"), "?") for i in range(0, len(raw), 2)))
    return "\n".join(lines)


def embedded_font(pdf: bytes) -> tuple[str, int]:
    """The font's name and the size of its embedded (subset) program."""
    font = _font(pdf)
    descriptor = font["/DescendantFonts"][0]["/FontDescriptor"]
    key = next((k for k in ("/FontFile3", "/FontFile2") if k in descriptor), None)
    assert key is not None, "the font is not embedded"
    return str(font["/BaseFont"]), len(descriptor[key].data)


# -- pure: the renderer and the signer ---------------------------------------------------------------------


def _content(**overrides: Any) -> CertificateContent:
    fields: dict[str, Any] = {
        "number": NUMBER,
        "holder": "欧阳明远",
        "employer": "平凉市人民医院",
        "series": "卫生系列",
        "level": "中级",
        "specialty": "临床医学",
        "route": "评审委员会评审",
        "issuer": ISSUER,
        "issued_on": date(2026, 11, 30),
        "verification_url": verification_link(PUBLIC, NUMBER),
        "annotations": ["乡村不受指标限制"],
        **overrides,
    }
    return CertificateContent(**fields)


@pytest.fixture(scope="module")
def rendered() -> bytes:
    return render_certificate(_content())


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> PadesSigner:
    key_file, cert_file = self_signed_certificate(ISSUER, tmp_path_factory.mktemp("office"))
    return PadesSigner.from_files(key_file, cert_file)


def test_nat_10_the_verification_link_carries_the_number_url_encoded() -> None:
    link = verification_link(PUBLIC + "/", NUMBER)
    assert (
        link
        == f"{PUBLIC}/verify?number=%E5%B9%B3%E4%BA%BA%E7%A4%BE%E8%81%8C%E7%A7%B0%E3%80%942026%E3%80%9500001%E5%8F%B7"
    )
    assert verification_link(PUBLIC, "A&B=C") == f"{PUBLIC}/verify?number=A%26B%3DC"


def test_nat_10_the_certificate_prints_every_field_in_chinese(rendered: bytes) -> None:
    text = certificate_text(rendered)
    for printed in ("职称资格证书", NUMBER, "欧阳明远", "平凉市人民医院", "卫生系列", "中级", "临床医学"):
        assert printed in text, printed
    for printed in ("评审委员会评审", "乡村不受指标限制", ISSUER, "2026年11月30日"):
        assert printed in text, printed


def test_nat_10_the_cjk_font_is_embedded_as_a_subset_and_the_certificate_stays_small(rendered: bytes) -> None:
    name, program_size = embedded_font(rendered)
    assert name.endswith("+NotoSerifSC")  # a subset tag before the name
    assert program_size < 200_000  # the whole Noto Serif SC is 11 MB
    assert len(rendered) < 1_000_000


def test_nat_10_the_qr_code_decodes_to_the_verification_link(rendered: bytes) -> None:
    assert qr_payloads(rendered) == [verification_link(PUBLIC, NUMBER)]


def test_nat_10_a_long_employer_and_many_annotations_still_render_with_their_qr_code() -> None:
    pdf = render_certificate(
        _content(employer="平凉市" + "很长的单位名称" * 60, annotations=["注明"] * 40, specialty=None)
    )
    assert len(pdf) < 1_000_000 and qr_payloads(pdf) == [verification_link(PUBLIC, NUMBER)]


async def test_nat_10_a_signed_certificate_verifies_against_the_published_certificate_only(
    rendered: bytes, office: PadesSigner, tmp_path: Path
) -> None:
    signed = await office.sign(rendered)
    check = await check_signature(signed, office.certificate_pem())
    assert check.ok and ISSUER in check.signer

    # Another office's certificate is not the one that signed it.
    stranger = PadesSigner.from_files(*self_signed_certificate("另一个发证机关", tmp_path))
    assert not (await check_signature(signed, stranger.certificate_pem())).trusted

    # A changed byte inside the signed range breaks it.
    at = signed.index(b"/Title") + 8
    tampered = signed[:at] + bytes([signed[at] ^ 0x01]) + signed[at + 1 :]
    broken = await check_signature(tampered, office.certificate_pem())
    assert not (broken.intact and broken.valid)


def test_nat_10_the_self_signed_certificate_is_reused_not_regenerated(tmp_path: Path) -> None:
    first = self_signed_certificate(ISSUER, tmp_path)
    pem = first[1].read_bytes()
    assert self_signed_certificate(ISSUER, tmp_path) == first and first[1].read_bytes() == pem
    assert first[0].stat().st_mode & 0o077 == 0  # the key is its owner's only


def test_nat_10_production_refuses_to_start_without_the_offices_key_and_certificate(tmp_path: Path) -> None:
    # The ballot key (issue 12, NAT-2) is required in production as well; the rule under test is NAT-10.
    ballot_key = tmp_path / "ballot-key"
    ballot_key.write_text(new_ballot_key())
    production = {"environment": "production", "service_client_secret": "s", "ballot_key_file": ballot_key}
    with pytest.raises(ValidationError, match="ZC_CERTIFICATE_KEY_FILE"):
        ReviewSettings(**production)
    with pytest.raises(ValidationError, match="given together"):
        ReviewSettings(certificate_key_file=tmp_path / "key.pem")
    key_file, cert_file = self_signed_certificate(ISSUER, tmp_path)
    given = ReviewSettings(**production, certificate_key_file=key_file, certificate_cert_file=cert_file)
    assert certificates.pades_signer(given).certificate_pem() == cert_file.read_text()


# -- the real service: first request, background, readers, revocation ------------------------------------


@dataclass
class Service:
    review: Review
    signer: TokenSigner

    @property
    def http(self) -> httpx.AsyncClient:
        return self.review.http

    def token(self, subject: str, org_path: str, *roles: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.signer.token(subject, roles=roles, org_path=org_path)}"}

    async def issued(self, name: str = "赵建国", **overrides: Any) -> tuple[str, str, str]:
        """A document issued without a committee (POL-SK-3's route): its id, number and holder's subject."""
        application_id = str(uuid.uuid4())
        assert await self.review.feed(
            concluded(application_id, "employer_assessment", applicant_name=name, **overrides)
        )
        [issued] = await self.review.stream(document_id_for(application_id))
        return issued.stream_id, issued.payload["number"], issued.payload["applicant_id"]

    async def pdf(self, document_id: str, headers: dict[str, str]) -> httpx.Response:
        return await self.http.get(f"/api/v1/documents/{document_id}/certificate.pdf", headers=headers)

    async def stored(self) -> int:
        async with self.review.ctx.db.read() as conn:
            return int((await conn.execute(select(func.count()).select_from(certificate_pdfs))).scalar_one())


@asynccontextmanager
async def certifying(servers: Servers, tmp_path: Path) -> AsyncIterator[Service]:
    """review-service on a fresh database with a development signing key in `tmp_path`, the public base URL
    of a gateway, a test signer's tokens, its background renderer resting (the tests call a round)."""
    name = f"zc_rev_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(servers.postgres.create_database, name)
    settings = isolated(str(servers.postgres.url(name))).model_copy(
        update={"certificate_dir": tmp_path, "public_base_url": PUBLIC, "certificate_render_interval_seconds": 3600}
    )
    signer = TokenSigner()
    app = create_app(settings, verifier=signer.verifier())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://review-service") as http:
            service = Service(Review(app.state.runtime, http), signer)
            organization = {"org_id": "unit", "name": "平凉市第一中学", "kind": "unit", "level": "city", "path": UNIT}
            assert await service.review.feed(envelope("org-service", "OrganizationCreated", organization))
            yield service


async def test_nat_10_the_holder_downloads_a_signed_certificate_that_verifies_offline_and_links_to_the_page(
    servers: Servers, tmp_path: Path
) -> None:
    async with certifying(servers, tmp_path) as service:
        document_id, number, holder = await service.issued()

        published = await service.http.get("/api/v1/documents/signing-certificate")  # no login
        assert published.status_code == 200, published.text
        pem = published.json()["pem"]
        assert pem == (tmp_path / "certificate-cert.pem").read_text() and ISSUER in published.json()["subject"]

        response = await service.pdf(document_id, service.token(holder, "", "applicant"))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        pdf = response.content

        check = await check_signature(pdf, pem)
        assert check.ok and ISSUER in check.signer
        text = certificate_text(pdf)
        assert "赵建国" in text and number in text and "平凉市第一中学" in text and "用人单位考核认定" in text
        assert embedded_font(pdf)[0].endswith("+NotoSerifSC") and len(pdf) < 1_000_000

        [link] = qr_payloads(pdf)
        assert link == verification_link(PUBLIC, number)
        # The link's query is the one the public check takes (the web application's /verify page asks
        # GET /api/v1/documents/verify with it; tests/web/test_committee_pages.py opens the page): valid, masked.
        opened = await service.http.get("/api/v1/documents/verify" + "?" + urlsplit(link).query)
        assert opened.status_code == 200, opened.text
        assert opened.json()["valid"] is True and opened.json()["number"] == number
        assert opened.json()["holder"] == "赵**" and "赵建国" not in opened.text
        unknown = await service.http.get("/api/v1/documents/verify", params={"number": "平人社职称〔2026〕99999号"})
        assert unknown.status_code == 404 and unknown.json()["code"] == "document_not_found"
        assert "未找到该职称资格文件" in unknown.json()["detail"], unknown.text

        # Rendered once: the next reader gets the same bytes (the same signature).
        again = await service.pdf(document_id, service.token("clerk", UNIT, "unit_review"))
        assert again.status_code == 200 and again.content == pdf
        office = await service.pdf(document_id, service.token("office", CITY, "title_office_review"))
        assert office.status_code == 200 and office.content == pdf
        assert await service.stored() == 1


async def test_nat_10_only_the_holder_and_the_employer_chains_staff_get_the_certificate(
    servers: Servers, tmp_path: Path
) -> None:
    async with certifying(servers, tmp_path) as service:
        document_id, _, _ = await service.issued()

        assert (await service.pdf(document_id, {})).status_code == 401
        refused = {
            "a colleague who is an applicant": service.token("colleague", UNIT, "applicant"),
            "an expert of the unit": service.token("expert", UNIT, "expert"),
            "the unit's system administrator": service.token("admin", UNIT, "system_admin"),
        }
        for who, headers in refused.items():
            response = await service.pdf(document_id, headers)
            assert response.status_code == 403, who
            assert response.json()["code"] == "certificate_forbidden"
        hidden = {
            "another unit's clerk": service.token("other", "/city/other/", "unit_review"),
            "a provincial system": {
                "Authorization": f"Bearer {service.signer.token('province', kind='external', org_path=CITY)}"
            },
        }
        for who, headers in hidden.items():
            response = await service.pdf(document_id, headers)
            assert response.status_code == 404, who
            assert response.json()["code"] == "document_not_found"
        unknown = await service.pdf(str(uuid.uuid4()), service.token("office", CITY, "title_office_review"))
        assert unknown.status_code == 404
        bad = await service.pdf("x" * 65, service.token("office", CITY, "title_office_review"))
        assert bad.status_code == 422
        assert await service.stored() == 0  # nothing rendered for a refused reader


async def test_nat_10_issued_documents_are_rendered_in_the_background_and_a_revoked_one_never(
    servers: Servers, tmp_path: Path
) -> None:
    async with certifying(servers, tmp_path) as service:
        kept, _, holder = await service.issued("孙丽")
        revoked, number, revoked_holder = await service.issued("周强")
        async with service.review.ctx.db.transaction() as conn:
            revocation = QualificationDocumentRevoked(
                document_id=revoked,
                number=number,
                application_id="a",
                applicant_id=revoked_holder,
                applicant_name="周强",
                reason="伪造学历",
                revoked_on=date(2026, 11, 30),
                revoked_by="city-office",
            )
            await service.review.ctx.store.append(
                conn, revocation.stream_type, revoked, 1, [revocation], Metadata(actor="test")
            )
            # What the revocation writes beside its event (service_layer.revocations).
            await conn.execute(
                update(documents)
                .where(documents.c.document_id == revoked)
                .values(revoked_at=datetime.now(UTC), revocation_reason=revocation.reason)
            )

        # A committee's document prints the specialty its candidate was pushed with.
        by_committee = str(uuid.uuid4())
        await service.review.committee_document(by_committee, 2026, applicant_name="钱秀英")
        committee_document = document_id_for(by_committee)

        assert await certificates.render_pending(service.review.ctx) == 2
        assert await certificates.render_pending(service.review.ctx) == 0
        async with service.review.ctx.db.read() as conn:
            rendered = (await conn.execute(select(certificate_pdfs.c.document_id))).scalars().all()
        assert sorted(rendered) == sorted([kept, committee_document])
        response = await service.pdf(kept, service.token(holder, "", "applicant"))
        assert response.status_code == 200 and "孙丽" in certificate_text(response.content)
        response = await service.pdf(committee_document, service.token("office", CITY, "title_office_review"))
        text = certificate_text(response.content)
        assert "钱秀英" in text and "临床医学" in text and "卫生系列" in text and "评审委员会评审" in text

        gone = await service.pdf(revoked, service.token(revoked_holder, "", "applicant"))
        assert gone.status_code == 410, gone.text
        assert gone.json()["code"] == "document_revoked" and gone.json()["rule"] == "NAT-8"


def test_nat_10_the_statement_never_starts_a_line_with_closing_punctuation() -> None:
    from review_service.adapters.certificate_pdf import _kinsoku

    assert _kinsoku(["经审核，李明同志具备中级专业技术职务任职资格，特发此证", "。"]) == [
        "经审核，李明同志具备中级专业技术职务任职资格，特发此",
        "证。",
    ]
    assert _kinsoku(["第一行", "第二行"]) == ["第一行", "第二行"]
