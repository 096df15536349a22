"""Request bodies of the API (pydantic validates shapes; the domain validates rules)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Level = Literal["junior", "intermediate", "deputy_senior", "senior"]


class PaperIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=500)
    journal: str = Field(min_length=1, max_length=200)
    journal_level: Literal["core", "provincial"]
    published_on: date
    authors: list[str] = Field(min_length=1, max_length=50)
    text: str = Field(min_length=1, max_length=200_000)


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    series: str = Field(min_length=1, max_length=100)
    specialty: str = Field(min_length=1, max_length=100)
    level: Level
    track: Literal["normal", "grassroots"] = "normal"
    papers: list[PaperIn] = Field(default_factory=list, max_length=10)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "return"]
    opinion: str = Field(default="", max_length=2000)
    expected_version: int = Field(ge=1)


class PushIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    series: str = Field(min_length=1, max_length=100)
    level: Level
    application_ids: list[str] = Field(min_length=1, max_length=2000)
