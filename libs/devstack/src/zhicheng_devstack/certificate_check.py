"""Reading a certificate PDF the way its holder's verifier would (NAT-10), independently of the service that
signed it: its PAdES signature validated offline with pyHanko against the office's published certificate,
the QR codes on its pages and (in `make demo`) the page the QR opens. `make demo` and the tests use it."""

from __future__ import annotations

import asyncio
import io
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
import zxingcpp
from PIL import Image
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.generic import StreamObject
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext


@dataclass(frozen=True)
class SignatureCheck:
    """What pyHanko's validator says of a certificate's signature against a trusted certificate."""

    intact: bool  # the signed bytes are unchanged
    valid: bool  # the signature is cryptographically sound
    trusted: bool  # the signer's certificate chains to the trusted one
    covers_whole_file: bool
    signer: str

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.covers_whole_file


async def check_signature(pdf: bytes, trusted_certificate_pem: str) -> SignatureCheck:
    """NAT-10's offline verification: the PDF's one signature validated with a ValidationContext that
    trusts only the published certificate."""
    reader = PdfFileReader(io.BytesIO(pdf))
    if len(reader.embedded_signatures) != 1:
        raise ValueError(f"expected one signature, found {len(reader.embedded_signatures)}")
    roots = list(load_certs_from_pemder_data(trusted_certificate_pem.encode("ascii")))
    status = await async_validate_pdf_signature(reader.embedded_signatures[0], ValidationContext(trust_roots=roots))
    return SignatureCheck(
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer=str(status.signing_cert.subject.human_friendly),
    )


def pages(pdf: bytes) -> list[Any]:
    kids = PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Kids"]
    return [kids[i] for i in range(len(kids))]  # indexing resolves the indirect references


def _png_rows(raw: bytes, width: int, height: int) -> bytes:
    """Undo PNG row filters (the /Predictor 15 fpdf2 writes; one byte per pixel)."""
    rows, previous = [], bytearray(width)
    for y in range(height):
        kind, line = raw[y * (width + 1)], bytearray(raw[y * (width + 1) + 1 : (y + 1) * (width + 1)])
        for x in range(width):
            a, b, c = line[x - 1] if x else 0, previous[x], previous[x - 1] if x else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return b"".join(rows)


def qr_payloads(pdf: bytes) -> list[str]:
    """Every QR code zxing-cpp finds in the pages' (grey, Flate-compressed) images."""
    found: list[str] = []
    for page in pages(pdf):
        resources = page["/Resources"]
        if "/XObject" not in resources:
            continue
        for name in resources["/XObject"]:
            image: StreamObject = resources["/XObject"][name]
            width, height = int(image["/Width"]), int(image["/Height"])
            if image.get("/Filter") != "/FlateDecode" or image.get("/ColorSpace") != "/DeviceGray":
                continue
            pixels = _png_rows(zlib.decompress(image.encoded_data), width, height)
            found += [code.text for code in zxingcpp.read_barcodes(Image.frombytes("L", (width, height), pixels))]
    return found


class DemoSteps(Protocol):
    http: httpx.Client

    def step(self, text: str) -> None: ...

    def call(self, method: str, service: str, path: str, token: str | None = None, **kw: Any) -> Any: ...

    def fetch(self, service: str, path: str, token: str | None = None) -> bytes: ...


def certificate_checked(demo: DemoSteps, document: dict[str, Any], token: str, directory: Path) -> Path:
    """The holder downloads the certificate of `document` (rendered and signed on this first request),
    which is written to `directory` beside the office's published certificate; its PAdES signature is
    validated offline with pyHanko against that certificate, its QR code decoded, and the page the QR
    opens read. Answers the certificate's path."""
    document_id = str(document["document_id"])
    pdf = demo.fetch("review-service", f"/api/v1/documents/{document_id}/certificate.pdf", token)
    published = demo.call("GET", "review-service", "/api/v1/documents/signing-certificate")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"certificate-{document_id}.pdf"
    path.write_bytes(pdf)
    (directory / "signing-certificate.pem").write_text(published["pem"])
    demo.step(f"电子职称证书（NAT-10，PAdES 签章，内嵌思源宋体子集）：{path}")
    check = asyncio.run(check_signature(pdf, published["pem"]))
    if not check.ok:
        raise SystemExit(f"    失败：证书签章未通过验证：{check}")
    trusted = directory / "signing-certificate.pem"
    demo.step(f"pyHanko 离线验签（只信任公布的发证机关证书 {trusted}）：通过，签章人 {check.signer}")
    [link] = qr_payloads(pdf)
    demo.step(f"证书二维码 → 公开查验链接：{link}")
    # The link opens the web application's public page, which asks the same origin's verification API.
    page = demo.http.get(link)
    url = httpx.URL(link)
    answer = demo.http.get(url.copy_with(path="/api/v1/documents/verify"))
    if page.status_code != 200 or answer.status_code != 200 or answer.json().get("status") != "valid":
        raise SystemExit(f"    失败：公开查验 {link} → 页面 {page.status_code}，查验接口 {answer.status_code}")
    demo.step(f"公开查验页（无需登录）：该文件真实有效，持证人 {answer.json()['holder']}（姓名已部分隐去）")
    return path
