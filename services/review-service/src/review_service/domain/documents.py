"""Qualification documents: their ids, their numbers, and what public verification shows."""

from __future__ import annotations

import uuid

DOCUMENT_NAMESPACE = uuid.UUID("3b0c1d8e-8f7a-4d35-9a51-6f1f4c1e2a70")


def document_id_for(application_id: str) -> str:
    """One qualification document per application: the id is derived, so a second issue collides."""
    return str(uuid.uuid5(DOCUMENT_NAMESPACE, f"qualification:{application_id}"))


def document_number(prefix: str, year: int, sequence: int) -> str:
    """E.g. 平人社职称〔2026〕00001号 — a sequence per year."""
    return f"{prefix}〔{year}〕{sequence:05d}号"


def masked(name: str) -> str:
    """The holder's name as public verification shows it: 张三 → 张*, 欧阳明远 → 欧***
    (enough to recognise, not enough to harvest)."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""
