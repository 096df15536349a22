"""Errors as values at the domain edge; the API layer turns them into problem+json once."""

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
        extra: dict[str, object] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.field = field
        if status is not None:
            self.status = status
        self.extra = extra or {}


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
