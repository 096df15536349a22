"""Errors as values at the domain edge; the API layer turns them into problem+json once.

A refusal a rule causes names the rule (`rule="POL-PA-4"`): it is carried in the problem body's
stable `rule` field, so a client and a reader of the logs know which rule said no.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal the caller can act on: a stable machine code, a Chinese message, the field at fault."""

    status: int = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        status: int | None = None,
        rule: str | None = None,
        extra: dict[str, object] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.field = field
        if status is not None:
            self.status = status
        self.extra = dict(extra or {})
        if rule is not None:
            self.extra["rule"] = rule
        self.rule = self.extra.get("rule")


class InvalidInput(DomainError):
    """What was submitted cannot be accepted as it is (HTTP 422)."""

    status = 422


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Unauthorized(DomainError):
    status = 401


class Conflict(DomainError):
    status = 409


class ConcurrencyError(Conflict):
    """Another writer appended to the stream at the same version first."""

    def __init__(self, stream_id: str, expected_version: int) -> None:
        super().__init__(
            "concurrent_modification",
            "该记录已被他人修改，请刷新后重试。",
            extra={"stream_id": stream_id, "expected_version": expected_version},
        )
        self.stream_id = stream_id
        self.expected_version = expected_version


def not_found(what_zh: str, code: str, ident: str, *, field: str | None = None) -> NotFound:
    """The one not-found refusal: `not_found("评审会议", "session_not_found", id)`."""
    return NotFound(code, f"未找到该{what_zh}（{ident}）。", field=field)
