"""org-service: the organization tree, accounts, roles, login and tokens."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from zhicheng_kernel.auth import TokenVerifier
from zhicheng_kernel.context import ServiceContext
from zhicheng_kernel.service import create_service_app

from .adapters.audit import AuditedEventStore
from .adapters.delivery import provider_named
from .adapters.tables import external_access
from .api import accounts, audit, auth, external_clients, inbox, org_pages, orgs
from .consumers import consumers
from .context import OrgContext
from .domain.events import CATALOGUE
from .security import passwords
from .security.tokens import TokenIssuer
from .service_layer.bootstrap import seed
from .service_layer.external_clients import seed_development_clients
from .service_layer.inbox import delivery_sender
from .settings import OrgSettings

DESCRIPTION = """平凉市职称申报评审管理信息系统 —— 组织机构与账号服务。

组织机构自上而下创建（ORG-1、ORG-2），创建时自动生成系统管理员账号（ORG-5），
系统管理员创建本级业务管理员并分配角色（ORG-6）。登录采用 OAuth2 密码模式，令牌以 Ed25519 签名，
其他服务通过 `/.well-known/jwks.json` 自行验证。

消息中心：推送截止提醒、省职改办审核意见、退回修改、评审结果、发文等消息由其他服务的事件生成，
发给本人或本单位；短信、邮件经可替换的发送通道送达（本地通道只记录，不外发）。"""


def create_app(settings: OrgSettings | None = None) -> FastAPI:
    settings = settings or OrgSettings()
    assert settings.jwt_private_key_file is not None
    passwords.use_profile(settings.password_hash_profile)
    issuer = TokenIssuer(settings.jwt_private_key_file, settings.access_token_minutes, settings.extra_key_files())
    org_settings = settings

    async def build_context(base: ServiceContext) -> OrgContext:
        delivery = provider_named(org_settings.notification_provider, org_settings.environment)
        return OrgContext(**{**base.kernel_parts(), "settings": org_settings}, issuer=issuer, delivery=delivery)

    return create_service_app(
        "org-service",
        settings,
        title="组织机构与账号服务（org-service）",
        description=DESCRIPTION,
        migrations_dir=Path(__file__).parent / "migrations",
        routers=[
            auth.router,
            orgs.router,
            accounts.router,
            audit.router,
            inbox.router,
            external_clients.router,
            org_pages.router,
        ],
        context=build_context,
        consumers=consumers(),
        background=[delivery_sender],
        upcasters=CATALOGUE.upcasters,
        verifier=TokenVerifier(jwks=issuer.jwks()),
        on_startup=[seed, seed_development_clients],
        store_factory=AuditedEventStore,
        access_audit=external_access,
    )
