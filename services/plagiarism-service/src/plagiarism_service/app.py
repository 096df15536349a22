"""bootstrap: the plagiarism-service application, wired once."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from fastapi import FastAPI
from zhicheng_kernel.service import ServiceRuntime, create_service_app
from zhicheng_kernel.settings import ServiceSettings

from .api import checks as checks_api
from .api import corpus as corpus_api
from .consumers import consumer_specs
from .context import SERVICE_NAME, Context
from .service_layer import checks, corpus

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

DESCRIPTION = """平凉市职称评审系统 · 论文查重服务（POL-PA-4）。

对送审论文与比对库进行文字复制检测：总文字复制比、去除引用文献复制比、去除本人已发表文献复制比、
单篇最大文字复制比，以及按期刊级别的判定（核心期刊 15%，省级期刊 25%）。
比对库索引保存在磁盘上（重启时只补入停机期间变化的文献，无需重新导入），支持批量导入。
"""


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or ServiceSettings()
    ctx = Context()

    async def start_corpus(runtime: ServiceRuntime) -> None:
        ctx.attach(runtime)
        indexed = await corpus.load_index(ctx)
        seeded = await corpus.seed_if_empty(ctx)
        if seeded is not None:
            log.info("seeded the reference corpus with %d documents", len(seeded.added))
        log.info("corpus index ready: %d documents (indexed at start-up: %d)", len(ctx.index), indexed)
        resumed = await checks.resume_long_checks(ctx)
        if resumed:
            log.info("resumed %d long checks left running", resumed)

    async def stop_corpus(runtime: ServiceRuntime) -> None:
        await asyncio.to_thread(ctx.index.close)

    app = create_service_app(
        SERVICE_NAME,
        settings,
        title="论文查重服务",
        description=DESCRIPTION,
        migrations_dir=MIGRATIONS_DIR,
        routers=[checks_api.router, corpus_api.router],
        consumers=consumer_specs(ctx),
        on_startup=[start_corpus],
        on_shutdown=[stop_corpus],
    )
    app.state.plagiarism = ctx
    return app
