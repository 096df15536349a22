"""The CNKI ratio POL-PA-4 decides on, per year: chosen by the city office (SimilarityRatioChosen, one
stream per year, the latest choice holds; 去除本人已发表文献复制比 until it chooses), read by the
reviewers, and what the policy engine and the recorded checks are judged with."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import Forbidden
from zhicheng_kernel.paper_limits import JournalLevel
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute

from ..adapters import tables
from ..adapters.registries import load_registries
from ..context import Context
from ..domain.events import SIMILARITY_SETTING_STREAM, SimilarityRatioChosen
from ..domain.policy import DEFAULT_PARAMETERS, Paper, PolicyParameters
from ..domain.policy.model import DEFAULT_SIMILARITY_RATIO, SIMILARITY_RATIOS, SimilarityRatio
from ..domain.policy.papers import RATIO_NAME_ZH, judged_level
from . import commands  # re-assessment; commands reads the year's ratio from here (resolved at call time)


class SimilaritySetting(BaseModel):
    """The ratio POL-PA-4 decides on for a year."""

    year: int
    ratio: SimilarityRatio = Field(description="total / excluding_quotes / excluding_own")
    ratio_zh: str = Field(description="总文字复制比 / 去除引用文献复制比 / 去除本人已发表文献复制比")
    chosen: bool = Field(description="false: the city office has not chosen; the default applies")
    chosen_by: str | None = None
    chosen_at: datetime | None = None
    version: int = 0


def stream_of(year: int) -> str:
    return f"similarity-{year}"


async def _setting(ctx: Context, conn: AsyncConnection, year: int) -> SimilaritySetting:
    stored = await ctx.store.load(conn, stream_of(year))
    if not stored:
        ratio = DEFAULT_SIMILARITY_RATIO
        return SimilaritySetting(year=year, ratio=ratio, ratio_zh=RATIO_NAME_ZH[ratio], chosen=False)
    last = stored[-1]
    ratio = _ratio(last.payload.get("ratio"))
    return SimilaritySetting(
        year=year,
        ratio=ratio,
        ratio_zh=RATIO_NAME_ZH[ratio],
        chosen=True,
        chosen_by=last.payload.get("chosen_by"),
        chosen_at=last.occurred_at,
        version=last.version,
    )


def _ratio(value: Any) -> SimilarityRatio:
    for ratio in SIMILARITY_RATIOS:
        if value == ratio:
            return ratio
    return DEFAULT_SIMILARITY_RATIO


async def chosen_ratio(ctx: Context, conn: AsyncConnection, year: int) -> SimilarityRatio:
    return (await _setting(ctx, conn, year)).ratio


async def policy_parameters(ctx: Context, conn: AsyncConnection, year: int) -> PolicyParameters:
    """The engine's parameters for an application of `year`: the defaults with the year's ratio."""
    return replace(DEFAULT_PARAMETERS, similarity_ratio=await chosen_ratio(ctx, conn, year))


async def judging(
    ctx: Context, conn: AsyncConnection, year: int, paper: dict[str, Any] | None
) -> tuple[SimilarityRatio, JournalLevel | None]:
    """What a recorded check of `paper` (an ApplicationSubmitted paper) is judged with: the year's
    ratio and the journal's level as the registries judge it now."""
    ratio = await chosen_ratio(ctx, conn, year)
    if paper is None:
        return ratio, None
    policy_paper = Paper(
        title=str(paper.get("title", "")),
        journal=str(paper.get("journal", "")),
        cn_number=paper.get("cn_number"),
        claimed_level=paper.get("journal_level") or "provincial",
        published_on=date.fromisoformat(str(paper["published_on"])[:10]),
    )
    cutoff = DEFAULT_PARAMETERS.authoritative_list_cutoff
    return ratio, judged_level(policy_paper, await load_registries(conn), cutoff)


async def read_setting(ctx: Context, year: int) -> SimilaritySetting:
    async with ctx.db.read() as conn:
        return await _setting(ctx, conn, year)


async def require_city_office(ctx: Context, org_id: str | None) -> None:
    """POL-PA-4's ratio is the city 职改办's choice: `title_office_review` at the city-level title office."""
    async with ctx.db.read() as conn:
        org = (await conn.execute(select(tables.orgs).where(tables.orgs.c.id == (org_id or "")))).first()
    if org is None or org.kind != "title_office" or org.level != "city":
        raise Forbidden(
            "not_city_title_office",
            "论文查重判定所用的复制比由市职称改革办公室按年度选定，您所在单位无权设置。",
            field="org_id",
            rule="POL-PA-4",
        )


async def choose_ratio(
    ctx: Context, year: int, ratio: SimilarityRatio, actor: str, idempotent: Idempotency | None = None
) -> SimilaritySetting:
    """The city office chooses the year's ratio; checks recorded from then on, and every later
    assessment, are judged with it."""

    async def act(uow: UnitOfWork) -> SimilaritySetting:
        stream = await uow.load(stream_of(year))
        event = SimilarityRatioChosen(year=year, ratio=ratio, chosen_by=actor)
        stored = await uow.append(SIMILARITY_SETTING_STREAM, stream_of(year), stream.version, [event])
        await commands.reassess_open(uow.conn, ctx, uow.meta, "similarity_ratio_chosen")  # a late fact
        return SimilaritySetting(
            year=year,
            ratio=ratio,
            ratio_zh=RATIO_NAME_ZH[ratio],
            chosen=True,
            chosen_by=actor,
            chosen_at=stored[-1].occurred_at,
            version=stored[-1].version,
        )

    return await execute(ctx, Metadata(actor=actor), act, answer=SimilaritySetting, idempotent=idempotent)
