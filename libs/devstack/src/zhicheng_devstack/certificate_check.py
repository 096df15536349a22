"""Reading a certificate PDF the way its holder's verifier would (NAT-10): the QR codes on its pages, and
(in `make demo`) its signature against the office's published certificate and the page the QR opens."""

from __future__ import annotations

import asyncio
import io
import zlib
from pathlib import Path
from typing import Any, Protocol

import httpx
import zxingcpp
from PIL import Image
from pyhanko.pdf_utils.generic import StreamObject
from pyhanko.pdf_utils.reader import PdfFileReader


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
    from review_service.adapters.certificate_signer import check_signature  # the service's own validator

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
    page = demo.http.get(link)
    if page.status_code != 200 or "真实有效" not in page.text:
        raise SystemExit(f"    失败：公开查验页 {link} → {page.status_code}")
    demo.step("公开查验页（无需登录）：该文件真实有效，持证人姓名已部分隐去")
    return path
