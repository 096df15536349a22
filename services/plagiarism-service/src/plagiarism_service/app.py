"""bootstrap: the plagiarism-service application, wired once."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from fastapi import FastAPI
from zhicheng_kernel.clock import Clock
from zhicheng_kernel.context import ServiceContext
from zhicheng_kernel.service import create_service_app
from zhicheng_kernel.settings import ServiceSettings

from .adapters import tables
from .adapters.shared_index import SharedIndex
from .api import checks as checks_api
from .api import corpus as corpus_api
from .consumers import consumers
from .context import SERVICE_NAME, PlagiarismContext
from .domain import CheckParams
from .domain.events import CATALOGUE
from .service_layer import checks, corpus
from .settings import PlagiarismSettings, max_quote_chars

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

DESCRIPTION = """平凉市职称评审系统 · 论文查重服务（POL-PA-4）。

对送审论文与比对库进行文字复制检测，按知网口径给出四个复制比：总文字复制比、去除引用文献复制比
（只去除规范引用：引号内、不超过限定字数、标注的序号见参考文献）、去除本人已发表文献复制比（引用部分仍计入）、
单篇最大文字复制比。是否通过由申报服务按当年选定的复制比和期刊级别判定。
比对库索引保存在磁盘上（重启时只补入停机期间变化的文献，无需重新导入），支持批量导入。
"""


async def build_context(base: ServiceContext, index: SharedIndex | None = None) -> PlagiarismContext:
    """The service's context: the corpus index brought in line with the corpus table (which starts empty:
    the development seed is added through the corpus API by the tooling member, never by the service)."""
    params = CheckParams(max_quote_chars=max_quote_chars(base.settings))
    ctx = PlagiarismContext(**base.kernel_parts(), index=index if index is not None else SharedIndex(params=params))
    indexed = await corpus.load_index(ctx)
    log.info("corpus index ready: %d documents (indexed at start-up: %d)", len(ctx.index), indexed)
    return ctx


async def close_index(ctx: PlagiarismContext) -> None:
    await asyncio.to_thread(ctx.index.close)


def create_app(settings: ServiceSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    return create_service_app(
        SERVICE_NAME,
        settings or PlagiarismSettings(),
        title="论文查重服务",
        description=DESCRIPTION,
        migrations_dir=MIGRATIONS_DIR,
        routers=[checks_api.router, corpus_api.router],
        context=build_context,
        consumers=consumers(),
        upcasters=CATALOGUE.upcasters,
        clock=clock,
        on_shutdown=[close_index],
        # Issue 12: checks are computed by a worker outside every transaction (finding 1), and the
        # index of every replica follows the shared event store (finding 17).
        background=[checks.run_pending_checks, corpus.keep_index_in_step],
        audit_log=tables.audit_log,  # the business audit of every command (finding 16)
    )
