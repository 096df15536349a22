"""Request and response bodies of the HTTP API (validation of the texts themselves: domain/rules.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from zhicheng_kernel.inputs import CleanText

from ..domain.rules import MAX_AUTHOR_CHARS, MAX_AUTHORS, MAX_TEXT_CHARS, MAX_TITLE_CHARS

# Issue 12, finding 6: the bounds application-service's PaperIn puts on a paper, on this side too.
Title = Annotated[CleanText, StringConstraints(max_length=MAX_TITLE_CHARS)]
AuthorName = Annotated[CleanText, StringConstraints(min_length=1, max_length=MAX_AUTHOR_CHARS)]
AccountId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]
PaperText = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]


class CorpusDocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_id: str = Field(max_length=100, description="外部文献编号，如 CNKI-2019-0001")
    title: Annotated[CleanText, StringConstraints(min_length=1, max_length=MAX_TITLE_CHARS)]
    text: PaperText = Field(description="全文（不超过 1,000,000 个字符）")
    authors: list[AuthorName] = Field(default_factory=list, max_length=MAX_AUTHORS)
    author_account_ids: list[AccountId] = Field(
        default_factory=list,
        max_length=MAX_AUTHORS,
        description="登记为作者的系统账号（查重时只有这些账号本人的文献计为“本人已发表文献”）",
    )
    published_on: date | None = None


class CorpusBulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[CorpusDocumentIn] = Field(max_length=1000, description="每次最多 1000 篇")


class CorpusDocumentOut(BaseModel):
    external_id: str
    title: str
    authors: list[str]
    author_account_ids: list[str]
    published_on: date | None
    chars: int
    added_at: datetime


class CorpusAdded(BaseModel):
    added: list[str]
    skipped: list[str] = Field(description="已在比对库中而跳过的文献编号")


class CorpusPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[CorpusDocumentOut]


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: PaperText = Field(description="论文全文（纯文本，不超过 1,000,000 个字符）")
    title: Title = ""
    authors: list[AuthorName] = Field(default_factory=list, max_length=MAX_AUTHORS)
    journal_level: str | None = Field(
        max_length=20,
        default=None,
        description="core（核心期刊）或 provincial（省级期刊），随检测记录保存；本服务只测复制比，不作判定",
    )
    published_on: date | None = Field(default=None, description="申报人填写的发表日期：随记录保存，不影响比对范围")


class PassageOut(BaseModel):
    start: int = Field(description="送检文本中的起始字符位置（含）")
    end: int = Field(description="送检文本中的结束字符位置（不含）")
    source_external_id: str
    source_start: int
    source_end: int
    quoted: bool = Field(description="位于规范引用中（引号内、不超过限定字数、标注的引用序号见参考文献）")
    own: bool = Field(description="来源为作者本人已发表的文献")


class SectionOut(BaseModel):
    title: str = Field(description="章节标题（按标题行切分）")
    start: int
    end: int
    chars: int
    counted: bool = Field(description="是否计入全文复制比（参考文献部分不计）")
    total_copy_ratio: float = Field(description="本节总文字复制比")
    copy_ratio_excluding_quotes: float = Field(description="本节去除引用文献复制比")
    copy_ratio_excluding_own: float = Field(description="本节去除本人已发表文献复制比（引用部分仍计入）")


class CheckOut(BaseModel):
    id: str
    status: str = Field(
        description="completed；running（正在检测，稍后在 GET /api/v1/checks/{id} 查看结果）；"
        "unavailable（无法检测：error.code 说明原因；error.caused_by 为 applicant 表示文本本身无法检测，"
        "service 表示服务原因）"
    )
    origin: str = Field(description="api 或 application")
    title: str
    authors: list[str]
    journal_level: str | None
    published_on: date | None
    sources_until: date | None = Field(
        default=None,
        description="比对截止日期：晚于此日发表的文献不参与比对（取论文首次进入本系统之日，而非申报人填写的日期）",
    )
    sources_until_basis: str | None = Field(
        default=None, description="截止日期的来源：entered_system（首次进入系统之日）"
    )
    application_id: str | None
    paper_id: str | None
    created_at: datetime
    text_chars: int
    total_copy_ratio: float | None = Field(description="总文字复制比（0–1）")
    copy_ratio_excluding_quotes: float | None = Field(description="去除引用文献复制比（只去除规范引用）")
    copy_ratio_excluding_own: float | None = Field(
        description="去除本人已发表文献复制比（引用部分仍计入）；是否通过由申报服务按当年选定的复制比判定（POL-PA-4）"
    )
    max_single_source_ratio: float | None = Field(description="单篇最大文字复制比")
    checked_chars: int | None
    matched_chars: int | None
    counted_chars: int | None
    passages: list[PassageOut]
    sections: list[SectionOut] = Field(default_factory=list, description="各章节的复制比（如知网报告）")
    error: dict[str, str | None] | None = None
