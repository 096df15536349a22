"""Administrative divisions (GB/T 2260) the system knows: Gansu, Pingliang and its counties."""

from __future__ import annotations

from dataclasses import dataclass

from .kinds import Level


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: Level
    parent: str | None


DIVISIONS: dict[str, Division] = {
    d.code: d
    for d in [
        Division("620000", "甘肃省", Level.PROVINCE, None),
        Division("620800", "平凉市", Level.CITY, "620000"),
        Division("620802", "崆峒区", Level.COUNTY, "620800"),
        Division("620821", "泾川县", Level.COUNTY, "620800"),
        Division("620822", "灵台县", Level.COUNTY, "620800"),
        Division("620823", "崇信县", Level.COUNTY, "620800"),
        Division("620825", "庄浪县", Level.COUNTY, "620800"),
        Division("620826", "静宁县", Level.COUNTY, "620800"),
        Division("620881", "华亭市", Level.COUNTY, "620800"),
    ]
}


def is_within(code: str, ancestor: str) -> bool:
    """Whether division `code` is `ancestor` or lies inside it."""
    current: str | None = code
    while current is not None:
        if current == ancestor:
            return True
        division = DIVISIONS.get(current)
        current = division.parent if division else None
    return False
