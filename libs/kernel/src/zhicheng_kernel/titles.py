"""Title levels (职称层级) and their Chinese names: the one place both live."""

from __future__ import annotations

from enum import StrEnum


class TitleLevel(StrEnum):
    JUNIOR = "junior"
    INTERMEDIATE = "intermediate"
    DEPUTY_SENIOR = "deputy_senior"
    SENIOR = "senior"

    @property
    def zh(self) -> str:
        return LEVEL_NAMES_ZH[self.value]


LEVEL_NAMES_ZH: dict[str, str] = {
    "junior": "初级",
    "intermediate": "中级",
    "deputy_senior": "副高级",
    "senior": "正高级",
}

# 副高级 and 正高级 together: the senior (高级) titles.
SENIOR_LEVELS = frozenset({TitleLevel.DEPUTY_SENIOR.value, TitleLevel.SENIOR.value})


def level_zh(level: str) -> str:
    """The Chinese name of a level code; the code itself if it is not one."""
    return LEVEL_NAMES_ZH.get(level, level)
