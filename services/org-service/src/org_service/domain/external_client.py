"""External machine clients of provincial bodies (issue 10 item 4): the body's system calls the public
API with OAuth2 client credentials and an RFC 7523 signed assertion — never a shared secret — within
the scopes it was granted and, for a body with a function, only that function's series.

Which bodies: the provincial root organizations (省人社厅, 省教育厅, 省卫健委). Their own system
administrator registers the client with its public key (the private key never leaves the province).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from zhicheng_kernel.errors import Forbidden, InvalidInput
from zhicheng_kernel.signing import SignatureError, load_public_key

from .events import ExternalClientRegistered, ExternalClientRevoked
from .kinds import Function, Level

# What a provincial system may do (the only scopes an external client can hold).
SCOPES: dict[str, str] = {
    "filings:read": "读取本市报省职改办审核的申报及审核结果",
    "results:read": "读取评审委员会评审结果",
    "documents:read": "读取已印发的职称资格文件（备案）",
    "documents:verify": "批量核验职称资格文件文号",
}
# A body with a function sees the series of that function only (empty: every series).
SERIES_BY_FUNCTION: dict[str, tuple[str, ...]] = {
    Function.HEALTH.value: ("卫生系列",),
    Function.EDUCATION.value: ("中小学教师", "高等学校教师", "中等职业学校教师", "技工院校教师"),
}


@dataclass(frozen=True)
class ProvincialBody:
    org_id: uuid.UUID
    name: str
    level: str
    parent_id: uuid.UUID | None
    function: str | None


def series_of(body: ProvincialBody) -> list[str]:
    return list(SERIES_BY_FUNCTION.get(body.function or "", ()))


def register(
    body: ProvincialBody, client_id: uuid.UUID, name: str, public_key_pem: str, scopes: list[str], by: str
) -> ExternalClientRegistered:
    """Only a provincial root organization gets an external client; its key must be an Ed25519 public
    key and its scopes among SCOPES."""
    if body.level != Level.PROVINCE.value or body.parent_id is not None:
        raise Forbidden("not_provincial_body", "只有省级部门（省人社厅、省教育厅、省卫健委等）可以登记外部系统客户端。")
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise InvalidInput(
            "unknown_scope",
            f"权限范围须从以下选择：{'、'.join(SCOPES)}。" + (f"不支持：{'、'.join(unknown)}。" if unknown else ""),
            field="scopes",
        )
    try:
        load_public_key(public_key_pem)
    except (SignatureError, ValueError):
        raise InvalidInput(
            "public_key_invalid",
            "公钥须为 PEM 格式的 Ed25519 公钥（-----BEGIN PUBLIC KEY-----）。",
            field="public_key_pem",
        ) from None
    return ExternalClientRegistered(
        client_id=client_id,
        org_id=body.org_id,
        name=name,
        public_key_pem=public_key_pem.strip(),
        scopes=sorted(set(scopes)),
        series=series_of(body),
        registered_by=by,
    )


@dataclass
class ExternalClient:
    client_id: uuid.UUID
    org_id: uuid.UUID
    revoked: bool = False
    version: int = 0
    scopes: list[str] = field(default_factory=list)

    @classmethod
    def from_events(cls, events: list[object]) -> ExternalClient:
        first = events[0]
        assert isinstance(first, ExternalClientRegistered)
        client = cls(first.client_id, first.org_id, scopes=list(first.scopes))
        for event in events:
            client.version += 1
            if isinstance(event, ExternalClientRevoked):
                client.revoked = True
        return client

    def revoke(self, org_id: str | None, reason: str, by: str) -> list[ExternalClientRevoked]:
        """The body that registered the client revokes it; revoking twice changes nothing."""
        if str(self.org_id) != str(org_id):
            raise Forbidden("outside_scope", "只能停用本单位登记的外部系统客户端。")
        if self.revoked:
            return []
        if not reason.strip():
            raise InvalidInput("reason_required", "停用客户端须说明原因。", field="reason")
        return [ExternalClientRevoked(client_id=self.client_id, reason=reason.strip(), revoked_by=by)]
