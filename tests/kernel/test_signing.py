"""The wire signatures of POL-FI-1's filing (pure): RFC 7523 client assertions and Ed25519 Standard Webhooks."""

from __future__ import annotations

import time

import pytest
from zhicheng_kernel.signing import (
    SignatureError,
    client_assertion,
    new_private_key,
    parse_webhook_public_key,
    sign_webhook,
    verify_client_assertion,
    verify_webhook,
    webhook_public_key,
)

AUDIENCE = "http://province.example/oauth2/token"


def test_a_client_assertion_is_accepted_for_its_client_and_audience_only() -> None:
    key, other = new_private_key(), new_private_key()
    assertion = client_assertion(key, "620800", AUDIENCE)
    assert verify_client_assertion(assertion, {"620800": key.public_key()}, AUDIENCE)["sub"] == "620800"
    with pytest.raises(SignatureError):
        verify_client_assertion(assertion, {"620800": other.public_key()}, AUDIENCE)
    with pytest.raises(SignatureError):
        verify_client_assertion(assertion, {"620800": key.public_key()}, "http://elsewhere/oauth2/token")
    with pytest.raises(SignatureError):
        verify_client_assertion(assertion, {"620900": key.public_key()}, AUDIENCE)


def test_an_expired_client_assertion_is_refused() -> None:
    key = new_private_key()
    assertion = client_assertion(key, "620800", AUDIENCE, now=time.time() - 120, lifetime=60)
    with pytest.raises(SignatureError, match="expired"):
        verify_client_assertion(assertion, {"620800": key.public_key()}, AUDIENCE)


def test_a_webhook_verifies_with_the_whpk_key_and_not_once_altered_or_late() -> None:
    key = new_private_key()
    public = parse_webhook_public_key(webhook_public_key(key.public_key()))
    body = b'{"type":"filing.verdict"}'
    headers = sign_webhook(key, "msg_1", body)
    assert verify_webhook(public, headers, body) == "msg_1"
    with pytest.raises(SignatureError):
        verify_webhook(public, headers, body + b" ")
    with pytest.raises(SignatureError):
        verify_webhook(public, {**headers, "webhook-id": "msg_2"}, body)
    with pytest.raises(SignatureError, match="tolerance"):
        verify_webhook(public, headers, body, now=time.time() + 301)
    with pytest.raises(SignatureError):
        verify_webhook(parse_webhook_public_key(webhook_public_key(new_private_key().public_key())), headers, body)
