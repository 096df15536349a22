"""Which kinds of organization a node may create, and why: ORG-1 and ORG-2 asked, never restated.

Each kind is tried against `check_creation` itself with every level, division and registration level
the system knows; the combinations it lets through are what the creation form offers, and a kind none
passes is explained by the rule's own refusal (for the natural attempt: the creator's level and division).
"""

from __future__ import annotations

from dataclasses import dataclass

from zhicheng_kernel.errors import DomainError

from .creation_rules import Creator, Proposed, check_creation
from .divisions import DIVISIONS
from .kinds import KIND_NAMES_ZH, LEVEL_NAMES_ZH, PRIVATE_KINDS, Level, OrgKind

_REGISTERED = frozenset({OrgKind.PRIVATE_SCHOOL, OrgKind.PRIVATE_HOSPITAL})


@dataclass(frozen=True)
class Placement:
    """One level / division / registration level a new organization of a kind may take here."""

    level: Level
    division_code: str
    registration_level: Level | None


@dataclass(frozen=True)
class ChildKind:
    kind: OrgKind
    rule: str
    allowed: bool
    explanation: str
    placements: tuple[Placement, ...]


def rule_of(kind: OrgKind) -> str:
    return "ORG-2" if kind in PRIVATE_KINDS else "ORG-1"


def _passes(creator: Creator, proposed: Proposed) -> bool:
    try:
        check_creation(creator, proposed)
    except DomainError:
        return False
    return True


def _refusal(creator: Creator, kind: OrgKind) -> str:
    natural = Proposed(kind, creator.level, creator.division_code, registration_level=creator.level)
    try:
        check_creation(creator, natural)
    except DomainError as refused:
        return refused.message
    return "该类机构须按规则选择层级和行政区划。"


def _either(words: list[str]) -> str:
    """["市级"] → "市级"; ["省级", "市级", "县区级"] → "省级、市级或县区级"."""
    return words[0] if len(words) == 1 else f"{'、'.join(words[:-1])}或{words[-1]}"


def _explain_allowed(kind: OrgKind, placements: tuple[Placement, ...]) -> str:
    levels = sorted({p.level for p in placements}, key=list(Level).index)
    divisions = sorted({p.division_code for p in placements})
    text = (
        f"可以创建{KIND_NAMES_ZH[kind]}（{rule_of(kind)}）：层级为{_either([LEVEL_NAMES_ZH[lv] for lv in levels])}，"
        f"行政区划为{_either([DIVISIONS[code].name for code in divisions])}"
    )
    registration = sorted({p.registration_level for p in placements if p.registration_level}, key=list(Level).index)
    if registration:
        text += f"，注册核准机构层级为{_either([LEVEL_NAMES_ZH[lv] for lv in registration])}"
    return text + "。"


def child_kinds(creator: Creator, *, active: bool, inactive_reason: str) -> list[ChildKind]:
    """ORG-1, ORG-2: for every kind, whether `creator` may create it, where, and the reason in Chinese."""
    answer: list[ChildKind] = []
    for kind in OrgKind:
        if not active:
            answer.append(ChildKind(kind, rule_of(kind), False, inactive_reason, ()))
            continue
        registrations: list[Level | None] = list(Level) if kind in _REGISTERED else [None]
        placements = tuple(
            Placement(level, code, registration)
            for level in Level
            for code in DIVISIONS
            for registration in registrations
            if _passes(creator, Proposed(kind, level, code, registration_level=registration))
        )
        if placements:
            answer.append(ChildKind(kind, rule_of(kind), True, _explain_allowed(kind, placements), placements))
        else:
            answer.append(ChildKind(kind, rule_of(kind), False, _refusal(creator, kind), ()))
    return answer
