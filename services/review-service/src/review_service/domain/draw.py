"""NAT-4's random draw: reproducible and auditable by anyone holding its seed.

Each candidate expert's place is the SHA-256 of the seed and their id, so the draw depends only on
the seed and the set of candidates — not on the order they were listed in, the Python version or the
machine — and an auditor can recompute it with any SHA-256 tool. The first `sitting` places sit, the
next `reserves` are reserves in that order.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from zhicheng_kernel.errors import InvalidInput

SEED_BYTES = 16


@dataclass(frozen=True)
class Draw:
    seed: str
    candidates: tuple[str, ...]  # sorted
    sitting: tuple[str, ...]  # in drawn order
    reserves: tuple[str, ...]  # in drawn order: the first steps in first


def new_seed() -> str:
    """A fresh seed from the operating system's random source."""
    return secrets.token_hex(SEED_BYTES)


def place(seed: str, expert_id: str) -> str:
    """An expert's place in the draw of `seed`: lower places are drawn first."""
    return hashlib.sha256(f"{seed}:{expert_id}".encode()).hexdigest()


def draw(seed: str, candidates: Iterable[str], sitting: int, reserves: int = 0, *, field: str = "sitting") -> Draw:
    """NAT-4: draw `sitting` experts and `reserves` reserves from `candidates`; the same seed and the
    same candidates always give the same draw. Too few candidates is 422 not_enough_experts."""
    pool = sorted(set(candidates))
    if sitting < 1 or reserves < 0:
        raise InvalidInput(
            "invalid_draw_size", "抽取的专家人数须为正数，候补人数不能为负数。", field=field, rule="NAT-4"
        )
    if sitting + reserves > len(pool):
        raise InvalidInput(
            "not_enough_experts",
            f"可抽取的专家只有 {len(pool)} 人，不足以抽取 {sitting} 名评审专家和 {reserves} 名候补专家。",
            field=field,
            rule="NAT-4",
            extra={"available": len(pool), "sitting": sitting, "reserves": reserves},
        )
    order = sorted(pool, key=lambda expert_id: place(seed, expert_id))
    return Draw(seed, tuple(pool), tuple(order[:sitting]), tuple(order[sitting : sitting + reserves]))


def same_employer_recusals(
    expert_employers: Mapping[str, str], candidate_employers: Mapping[str, str]
) -> dict[str, list[str]]:
    """NAT-4: an expert from the same employer as a candidate does not judge that candidate. Both
    mappings give an employer organization id (the expert's from the pool, the candidate's `org_id`
    from the push); answers the recused experts by application id, only for candidates who have any."""
    recused: dict[str, list[str]] = {}
    for application_id, employer in sorted(candidate_employers.items()):
        experts = sorted(e for e, org in expert_employers.items() if org == employer)
        if experts:
            recused[application_id] = experts
    return recused
