"""The qualification document as a PDF certificate (职称资格证书, NAT-10): Chinese text in an embedded,
subset Noto Serif SC, and a QR code that opens the public verification page for its number.

The font comes from a PyPI package pinned in uv.lock (`pylopdf-fonts-zh-cn`: Noto Serif SC, SIL OFL 1.1),
so every machine that ran `uv sync --frozen` renders the same certificate; fpdf2 embeds only the glyphs
the certificate uses, which keeps a certificate near 50 kB (the whole font is 11 MB). Rendering is pure
(content in, bytes out); signing is the signer port's (`certificate_signer.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from urllib.parse import quote

import pylopdf_fonts_zh_cn
import segno
from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import TTFFont
from PIL import Image

FONT = "NotoSerifSC"
QR_BORDER_MODULES = 4
QR_PIXELS_PER_MODULE = 6
# Bounds on what one certificate prints: a document's fields are not bounded where it is issued.
MAX_FIELD_CHARS = 200
MAX_ANNOTATIONS = 20


def font_path() -> Path:
    """Noto Serif SC (OFL), as the pinned font package installs it."""
    return pylopdf_fonts_zh_cn.serif_path()


def verification_link(public_base_url: str, number: str) -> str:
    """The public verification page for a number: what the certificate's QR code encodes."""
    return f"{public_base_url.rstrip('/')}/verify?number={quote(number, safe='')}"


@dataclass(frozen=True)
class CertificateContent:
    """Everything a certificate prints, already in the words a reader sees."""

    number: str
    holder: str
    employer: str
    series: str
    level: str  # e.g. 中级
    specialty: str | None
    route: str  # e.g. 评审委员会评审
    issuer: str
    issued_on: date
    verification_url: str
    annotations: list[str] = field(default_factory=list)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_FIELD_CHARS else text[: MAX_FIELD_CHARS - 1] + "…"


# Punctuation a Chinese line never starts with (避头点, the line-breaking rule of GB/T 15834's practice).
_NO_LINE_START = frozenset("，。、；：？！”’）》」』】…")


def _kinsoku(lines: list[str]) -> list[str]:
    """Lines wrapped by character, with a line that would start with closing punctuation taking the
    previous line's last character along (so "。" never stands alone at the start of a line)."""
    out = list(lines)
    for i in range(1, len(out)):
        while out[i] and out[i][0] in _NO_LINE_START and len(out[i - 1]) > 1:
            out[i - 1], out[i] = out[i - 1][:-1], out[i - 1][-1] + out[i]
    return out


def date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def qr_image(payload: str) -> Image.Image:
    """The payload's QR code (error correction M) as a grey image with its quiet zone, drawn module by
    module so the PDF keeps it lossless (FlateDecode, not a bi-level fax encoding)."""
    code = segno.make(payload, error="m", micro=False)
    modules = [list(row) for row in code.matrix]
    side = (len(modules) + 2 * QR_BORDER_MODULES) * QR_PIXELS_PER_MODULE
    image = Image.new("L", (side, side), 255)
    for y, row in enumerate(modules):
        for x, dark in enumerate(row):
            if dark:
                left = (x + QR_BORDER_MODULES) * QR_PIXELS_PER_MODULE
                top = (y + QR_BORDER_MODULES) * QR_PIXELS_PER_MODULE
                image.paste(0, (left, top, left + QR_PIXELS_PER_MODULE, top + QR_PIXELS_PER_MODULE))
    return image


def render_certificate(content: CertificateContent) -> bytes:
    """One A4 page: title, the fields, the issuing office and date, the QR code and its link."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_creation_date(datetime.combine(content.issued_on, time(12, 0)))
    pdf.set_title(f"职称资格证书 {content.number}")
    pdf.set_author(content.issuer)
    pdf.set_subject("职称资格证书（电子证书）")
    pdf.set_creator("职称评审服务 review-service")
    pdf.set_lang("zh-CN")
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font(FONT, "", str(font_path()))
    for font in pdf.fonts.values():
        if not isinstance(font, TTFFont):
            continue
        # The subset keeps the font's own bounding boxes: recomputing them from every outline on save
        # (fontTools' default) doubles the time of a certificate and changes nothing a reader sees.
        font.ttfont.recalcBBoxes = False
    pdf.add_page()

    pdf.set_draw_color(150, 20, 20)
    pdf.set_line_width(1.2)
    pdf.rect(12, 12, pdf.w - 24, pdf.h - 24)
    pdf.set_line_width(0.3)
    pdf.rect(15, 15, pdf.w - 30, pdf.h - 30)

    pdf.set_font(FONT, size=30)
    pdf.set_text_color(150, 20, 20)
    pdf.cell(0, 18, "职称资格证书", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=12)
    pdf.set_text_color(60, 60, 60)
    pdf.cell(0, 8, "（电子证书）", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)

    annotations = [_clip(a) for a in content.annotations[:MAX_ANNOTATIONS]]
    rows = [
        ("证书编号", content.number),
        ("姓　　名", content.holder),
        ("工作单位", content.employer),
        ("系　　列", content.series),
        ("资格级别", content.level),
        ("专　　业", content.specialty or "—"),
        ("取得途径", content.route),
        ("注明事项", "；".join(annotations) if annotations else "无"),
    ]
    pdf.set_text_color(0, 0, 0)
    label_width = 32
    for label, value in rows:
        pdf.set_font(FONT, size=13)
        y = pdf.get_y()
        pdf.cell(label_width, 10, label + "：")
        pdf.set_xy(pdf.l_margin + label_width, y)
        pdf.multi_cell(0, 10, _clip(value), wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")

    pdf.ln(6)
    pdf.set_font(FONT, size=13)
    statement = (
        f"经审核，{_clip(content.holder)}同志具备{content.series}{content.level}专业技术职务任职资格，特发此证。"
    )
    wrapped = pdf.multi_cell(0, 9, statement, wrapmode=WrapMode.CHAR, dry_run=True, output="LINES")
    assert isinstance(wrapped, list)
    for line in _kinsoku(wrapped):
        pdf.cell(0, 9, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.cell(0, 9, _clip(content.issuer), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 9, date_zh(content.issued_on), align="R", new_x="LMARGIN", new_y="NEXT")

    qr_size = 38.0
    if pdf.get_y() + qr_size + 30 > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = max(pdf.get_y() + 8, pdf.h - 25 - qr_size - 22)
    pdf.image(qr_image(content.verification_url), x=pdf.l_margin, y=top, w=qr_size, h=qr_size)
    pdf.set_xy(pdf.l_margin + qr_size + 6, top + 6)
    pdf.set_font(FONT, size=10)
    pdf.set_text_color(60, 60, 60)
    pdf.multi_cell(
        0,
        6,
        "扫描二维码或访问以下地址查验本证书的真伪与状态：\n"
        f"{content.verification_url}\n"
        "本证书经发证机关电子签名，与纸质证书具有同等效力；签名可用公布的发证机关证书离线验证。",
        wrapmode=WrapMode.CHAR,
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
