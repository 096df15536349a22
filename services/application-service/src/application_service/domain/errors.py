"""Refusals of this domain, as kernel DomainErrors (turned into problem+json by the API layer)."""

from __future__ import annotations

from zhicheng_kernel.errors import Conflict, DomainError, Forbidden, NotFound


class Unprocessable(DomainError):
    status = 422


__all__ = ["Conflict", "DomainError", "Forbidden", "NotFound", "Unprocessable"]
