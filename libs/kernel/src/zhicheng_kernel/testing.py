"""For the tests of every service: envelopes of other services' events, tokens a service accepts, and a
positioner for a test that appends to a store itself.

Not used by production code: it builds what Kafka or org-service would hand a service, so a test
can drive a real consumer or a real route without the other service running.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from .auth import AUDIENCE, INTERNAL_AUDIENCE, ISSUER, TokenVerifier, internal_scopes
from .database import Database
from .envelope import EventEnvelope
from .events import DomainEvent
from .positioner import Positioner

_positions: dict[str, itertools.count[int]] = {}


def envelope(
    source: str,
    event: DomainEvent | str,
    payload: Mapping[str, Any] | None = None,
    *,
    stream_id: str | None = None,
    version: int = 1,
    position: int | None = None,
    actor: str = "test",
    schema_version: int | None = None,
) -> EventEnvelope:
    """An envelope as `source` would publish it; positions count up per source unless given."""
    if isinstance(event, DomainEvent):
        event_type, body, stream_type = event.event_type, event.model_dump(mode="json"), event.stream_type
        schema = event.schema_version if schema_version is None else schema_version
    else:
        event_type, body, stream_type, schema = event, dict(payload or {}), "test", schema_version or 1
    if position is None:
        position = next(_positions.setdefault(source, itertools.count(1)))
    return EventEnvelope(
        event_id=uuid.uuid4(),
        event_type=event_type,
        schema_version=schema,
        source=source,
        stream_id=stream_id or str(uuid.uuid4()),
        stream_type=stream_type,
        version=version,
        position=position,
        occurred_at=datetime.now(UTC),
        actor=actor,
        correlation_id=uuid.uuid4(),
        causation_id=None,
        payload=body,
    )


class TokenSigner:
    """An Ed25519 key standing in for org-service's: its verifier accepts the tokens it signs."""

    def __init__(self, kid: str = "test") -> None:
        self.kid = kid
        self.key = Ed25519PrivateKey.generate()

    def jwks(self) -> dict[str, Any]:
        jwk = OKPAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "EdDSA"}]}

    def verifier(self) -> TokenVerifier:
        return TokenVerifier(jwks=self.jwks())

    def token(
        self,
        subject: str,
        *,
        roles: Iterable[str] = (),
        org_id: str | None = None,
        org_path: str = "",
        org_kind: str = "",
        kind: str = "user",
        name: str = "测试",
        lifetime_seconds: int = 3600,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        body = {
            "sub": subject,
            "username": subject,
            "kind": kind,
            "org_id": org_id,
            "org_path": org_path,
            "org_kind": org_kind,
            "roles": list(roles),
            "name": name,
            "typ": "access",
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + lifetime_seconds,
            # a service's token as org-service issues it: internal audience, the client's grants
            **({"aud": INTERNAL_AUDIENCE, "scope": " ".join(internal_scopes(subject))} if kind == "service" else {}),
            **claims,
        }
        return jwt.encode(body, self.key, algorithm="EdDSA", headers={"kid": self.kid})


@contextlib.asynccontextmanager
async def positioning(db: Database) -> AsyncIterator[Positioner]:
    """A positioner of `db` while the block runs: every process that appends runs one (eventstore.py),
    and a test appending to a store outside a service is such a process."""
    positioner = Positioner(db, idle=0.2)
    task = asyncio.create_task(positioner.run(), name="test.positioner")
    try:
        yield positioner
    finally:
        positioner.stop()  # between two transactions: a cancelled query could leave its connection stuck
        try:
            await asyncio.wait_for(task, timeout=30)
        except TimeoutError:
            task.cancel()
