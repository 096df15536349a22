"""The organization aggregate: decided from its own stream, creating its children (ORG-1..ORG-5)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from zhicheng_kernel.errors import Conflict, Forbidden, InvalidInput
from zhicheng_kernel.events import DomainEvent
from zhicheng_kernel.identifiers import credit_code_is_valid

from .creation_rules import Creator, Proposed, check_creation
from .divisions import DIVISIONS
from .events import AdminAccountCreated, OrganizationCreated, OrganizationDeactivated
from .identity import normalise_name
from .kinds import Function, Level, OrgKind, UnitType

_FORBIDDEN_CHARACTERS = "<>;'\"\\`{}"
_BARE_LEVELS = frozenset("省市县区")
# A place as a full name spells it: the division's name without its level (平凉, 泾川, 华亭, 崆峒, …),
# or the country's, which bodies registered nationally bear instead (中国…, 中华…).
_PLACES = frozenset(division.name[:-1] for division in DIVISIONS.values()) | {"中国", "中华"}
# Short forms no seal bears: those the notice itself uses for bodies whose seals spell them out
# (职改办, 卫健委, 人社局/厅), and a school by its number ("平凉一中" for 平凉市第一中学, "崆峒三小").
_SHORT_FORMS = ("职改办", "卫健委", "卫健局", "人社局", "人社厅")
_NUMBERED_SCHOOL = re.compile(r"[一二三四五六七八九十]+[中小]$")
# Why an inactive organization creates nothing (create_child; domain/child_kinds.py explains it too).
INACTIVE_CREATOR = "本单位已停用，不能创建下级组织机构。"


@dataclass(frozen=True)
class NewOrganization:
    """The command: create an organization with these facts."""

    name: str
    kind: OrgKind
    level: Level
    division_code: str
    credit_code: str | None = None
    function: Function | None = None
    registration_level: Level | None = None
    unit_type: UnitType | None = None


def check_facts(cmd: NewOrganization, *, seeded: bool = False) -> str:
    """ORG-3: the full name as on the seal (no abbreviation), a known division, a valid credit code.

    The notice: "创建组织机构一律使用单位全称(与单位公章一致)，并确保准确无误". It sets no length and lists
    no abbreviations, so the system refuses only what is evidently not a full name:
    - fewer than 4 characters;
    - a name that names no place: a seal names one of the system's divisions (甘肃, 平凉, the counties
      and districts: "平凉市…", "泾川县…", "…（华亭）有限公司") or the country (中国…, 中华…); one
      that opens with a bare level (省/市/县/区) instead is the notice's own short form ("市职改办");
    - the short forms no seal bears: the notice's "职改办", "卫健委", "人社局/厅", and a school by its
      number ("平凉一中" for 平凉市第一中学, "崆峒三小").
    Four characters were once enough ("第一中学"). Whether the name is the seal's, character for
    character, only the creator can confirm.

    The unified social credit code (GB 32100-2015, its check character verified) is required of every
    organization a user creates: every body the notice has created — departments, units (institutes,
    schools, hospitals, enterprises), HR markets, private schools, hospitals and enterprises, county
    offices — is a legal entity or a body of one that holds a code since the switch to unified codes
    (2015–2017). Only the `seeded` roots (the city office, the provincial bodies) may have none.

    Returns the normalised name under which ORG-4 looks for duplicates.
    """
    normalised = normalise_name(cmd.name)
    if len(normalised) < 4:
        raise InvalidInput(
            "org_name_too_short", "请填写单位全称（与单位公章一致），不能使用简称。", field="name", rule="ORG-3"
        )
    names_a_place = any(place in normalised for place in _PLACES)
    if normalised[0] in _BARE_LEVELS and not names_a_place:
        raise InvalidInput(
            "org_name_abbreviated",
            f"单位名称“{normalised}”以“{normalised[0]}”开头而未写地名，是简称；"
            "请填写单位全称（与单位公章一致），如“平凉市……”“泾川县……”。",
            field="name",
            rule="ORG-3",
        )
    if not names_a_place:
        raise InvalidInput(
            "org_name_without_place",
            f"单位名称“{normalised}”未写所在地名，不是公章上的全称；"
            "请填写单位全称（与单位公章一致），如“平凉市第一中学”“泾川县人民医院”。",
            field="name",
            rule="ORG-3",
        )
    short = next((form for form in _SHORT_FORMS if form in normalised), None) or (
        match.group() if (match := _NUMBERED_SCHOOL.search(normalised)) else None
    )
    if short is not None:
        raise InvalidInput(
            "org_name_abbreviated",
            f"单位名称“{normalised}”含简称“{short}”；请填写单位全称（与单位公章一致），"
            "如“平凉市第一中学”“平凉市卫生健康委员会”。",
            field="name",
            rule="ORG-3",
        )
    if len(normalised) > 60:
        raise InvalidInput("org_name_too_long", "单位名称过长（最多 60 个字）。", field="name")
    if any(ch in normalised for ch in _FORBIDDEN_CHARACTERS):
        raise InvalidInput("org_name_invalid", "单位名称含有不允许的字符。", field="name")
    if cmd.division_code not in DIVISIONS:
        raise InvalidInput("division_unknown", "行政区划代码不在本系统范围内。", field="division_code")
    if cmd.credit_code is None and not seeded:
        raise InvalidInput(
            "credit_code_required",
            "请填写统一社会信用代码（18 位，见法人证书或营业执照）。",
            field="credit_code",
            rule="ORG-3",
        )
    if cmd.credit_code is not None and not credit_code_is_valid(cmd.credit_code):
        raise InvalidInput(
            "credit_code_invalid",
            "统一社会信用代码不正确（应为 18 位，末位校验码须符合 GB 32100-2015）。",
            field="credit_code",
            rule="ORG-3",
        )
    if cmd.kind is OrgKind.GOVERNMENT_DEPARTMENT and cmd.function is None:
        raise InvalidInput("function_required", "请选择政府部门的职能（教育、卫健或其他）。", field="function")
    if cmd.kind is not OrgKind.GOVERNMENT_DEPARTMENT and cmd.function is not None:
        raise InvalidInput("function_not_applicable", "只有政府部门需要填写职能。", field="function")
    if cmd.kind is OrgKind.STATE_UNIT and cmd.unit_type is None:
        raise InvalidInput(
            "unit_type_required", "请选择国有单位的类型（科研院所、学校、医院、企业或其他）。", field="unit_type"
        )
    if cmd.kind is not OrgKind.STATE_UNIT and cmd.unit_type is not None:
        raise InvalidInput("unit_type_not_applicable", "只有国有企事业单位需要填写单位类型。", field="unit_type")
    return normalised


def found(
    cmd: NewOrganization,
    parent: Organization | None,
    org_id: uuid.UUID,
    code: str,
    admin_id: uuid.UUID,
    must_change_password: bool = True,
) -> list[DomainEvent]:
    """ORG-5: an organization is created with its system administrator, whose username is its code."""
    check_facts(cmd, seeded=parent is None)
    created = OrganizationCreated(
        org_id=org_id,
        code=code,
        name=cmd.name.strip(),
        credit_code=cmd.credit_code,
        kind=cmd.kind.value,
        level=cmd.level.value,
        division_code=cmd.division_code,
        function=cmd.function.value if cmd.function else None,
        unit_type=cmd.unit_type.value if cmd.unit_type else None,
        registration_level=cmd.registration_level.value if cmd.registration_level else None,
        parent_id=parent.org_id if parent else None,
        path=f"{parent.path if parent else '/'}{org_id}/",
    )
    admin = AdminAccountCreated(
        account_id=admin_id, username=code, org_id=org_id, must_change_password=must_change_password
    )
    return [created, admin]


@dataclass(frozen=True)
class Organization:
    org_id: uuid.UUID
    code: str
    name: str
    kind: OrgKind
    level: Level
    division_code: str
    function: Function | None
    parent_id: uuid.UUID | None
    path: str
    active: bool
    version: int

    @classmethod
    def from_events(cls, events: Sequence[DomainEvent]) -> Organization:
        first = events[0]
        if not isinstance(first, OrganizationCreated):
            raise ValueError(f"an organization's stream starts with OrganizationCreated, not {first.event_type}")
        org = cls(
            org_id=first.org_id,
            code=first.code,
            name=first.name,
            kind=OrgKind(first.kind),
            level=Level(first.level),
            division_code=first.division_code,
            function=Function(first.function) if first.function else None,
            parent_id=first.parent_id,
            path=first.path,
            active=True,
            version=1,
        )
        for event in events[1:]:
            org = org._apply(event)
        return org

    def _apply(self, event: DomainEvent) -> Organization:
        if isinstance(event, OrganizationDeactivated):
            return replace(self, active=False, version=self.version + 1)
        return replace(self, version=self.version + 1)

    def create_child(
        self, cmd: NewOrganization, org_id: uuid.UUID, code: str, admin_id: uuid.UUID
    ) -> list[DomainEvent]:
        """A system administrator creates organizations under its own, as ORG-1/ORG-2 allow."""
        if not self.active:
            raise Forbidden("org_inactive", INACTIVE_CREATOR)
        check_creation(
            Creator(self.kind, self.level, self.division_code, self.function),
            Proposed(cmd.kind, cmd.level, cmd.division_code, cmd.function, cmd.registration_level),
        )
        return found(cmd, self, org_id, code, admin_id)

    def deactivate(self, by_org_id: str | None, reason: str, has_active_children: bool) -> list[DomainEvent]:
        """No hard deletes: the parent's system administrator deactivates an organization it created.

        An organization with active subordinates cannot be deactivated; its accounts can no longer log in.
        """
        if str(self.parent_id) != by_org_id:
            raise Forbidden("not_parent_admin", "只有创建该组织机构的上级单位系统管理员才能停用它。")
        if not self.active:
            raise Conflict("org_already_inactive", "该组织机构已停用。")
        if has_active_children:
            raise Conflict("org_has_active_children", "该组织机构仍有未停用的下级单位，请先停用下级单位。")
        return [OrganizationDeactivated(org_id=self.org_id, reason=reason)]
