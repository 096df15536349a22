"""Signatures on the wire between the city and the province (POL-FI-1's filing, issue 10).

- Calls to the province authenticate with OAuth2 client credentials and a signed client assertion
  (RFC 7523 §2.2, `private_key_jwt`): a short JWT signed with the city's Ed25519 key, `iss` = `sub` =
  the client id, `aud` = the token endpoint's URL, a unique `jti`, at most 5 minutes long.
- The province's callbacks to the city are Standard Webhooks signed with Ed25519 (`v1a`): headers
  `webhook-id` (the delivery id: one delivery, applied once), `webhook-timestamp` (Unix seconds) and
  `webhook-signature` ("v1a,<base64 signature of '{id}.{timestamp}.{body}'>"); refused outside a
  5-minute tolerance. Keys travel as "whpk_<base64 raw public key>" / "whsk_<base64 raw private key>".
"""

from __future__ import annotations

import base64
import os
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_MAX_SECONDS = 300
WEBHOOK_TOLERANCE_SECONDS = 300
_MAX_WEBHOOK_ID = 100


class SignatureError(ValueError):
    """An assertion or a webhook that must be refused (HTTP 401); the message says why, in English."""


# -- keys ---------------------------------------------------------------------------------------------


def new_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_key_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_private_key(pem: bytes | str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem.encode() if isinstance(pem, str) else pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SignatureError("not an Ed25519 private key")
    return key


def load_public_key(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise SignatureError("not an Ed25519 public key")
    return key


def webhook_public_key(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "whpk_" + base64.b64encode(raw).decode()


def webhook_secret_key(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return "whsk_" + base64.b64encode(raw).decode()


def parse_webhook_public_key(text: str) -> Ed25519PublicKey:
    if not text.startswith("whpk_"):
        raise SignatureError("a webhook public key starts with whpk_")
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text[5:]))


def parse_webhook_secret_key(text: str) -> Ed25519PrivateKey:
    if not text.startswith("whsk_"):
        raise SignatureError("a webhook secret key starts with whsk_")
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text[5:]))


# -- RFC 7523 client assertions -----------------------------------------------------------------------


def client_assertion(
    key: Ed25519PrivateKey, client_id: str, audience: str, *, now: float | None = None, lifetime: int = 60
) -> str:
    """A fresh `private_key_jwt` assertion for the token endpoint `audience`."""
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": str(uuid.uuid4()),
        "iat": issued,
        "exp": issued + min(lifetime, ASSERTION_MAX_SECONDS),
    }
    return jwt.encode(claims, key, algorithm="EdDSA")


def verify_client_assertion(
    assertion: str, public_keys: Mapping[str, Ed25519PublicKey], audience: str, *, now: float | None = None
) -> dict[str, Any]:
    """The verified claims of an assertion by a registered client (its `iss`), or SignatureError.
    The caller keeps the seen `jti`s for the assertion's lifetime to refuse a replayed one."""
    try:
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise SignatureError(f"malformed assertion: {exc}") from None
    client_id = unverified.get("iss")
    key = public_keys.get(client_id) if isinstance(client_id, str) else None
    if key is None:
        raise SignatureError("unknown client")
    moment = time.time() if now is None else now
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion,
            key,
            algorithms=["EdDSA"],
            audience=audience,
            options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"], "verify_iat": False, "verify_exp": False},
        )
    except jwt.PyJWTError as exc:
        raise SignatureError(f"assertion refused: {exc}") from None
    if claims["sub"] != client_id:
        raise SignatureError("sub must equal iss")
    if not claims["iat"] - 30 <= moment < claims["exp"]:
        raise SignatureError("assertion expired or not yet valid")
    if claims["exp"] - claims["iat"] > ASSERTION_MAX_SECONDS:
        raise SignatureError("assertion lives longer than 5 minutes")
    return claims


# -- Standard Webhooks (Ed25519) ----------------------------------------------------------------------


def _signed_content(webhook_id: str, timestamp: int, body: bytes) -> bytes:
    return f"{webhook_id}.{timestamp}.".encode() + body


def sign_webhook(key: Ed25519PrivateKey, webhook_id: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The three headers of one delivery of `body`."""
    timestamp = int(time.time() if now is None else now)
    signature = base64.b64encode(key.sign(_signed_content(webhook_id, timestamp, body))).decode()
    return {"webhook-id": webhook_id, "webhook-timestamp": str(timestamp), "webhook-signature": f"v1a,{signature}"}


def verify_webhook(
    key: Ed25519PublicKey,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = WEBHOOK_TOLERANCE_SECONDS,
) -> str:
    """The delivery id of a correctly signed, timely webhook, or SignatureError. Replays of a delivery
    inside the tolerance are the receiver's to refuse (it records the ids it applied)."""
    webhook_id = headers.get("webhook-id", "")
    raw_timestamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not webhook_id or len(webhook_id) > _MAX_WEBHOOK_ID:
        raise SignatureError("missing or overlong webhook-id")
    try:
        timestamp = int(raw_timestamp)
    except ValueError:
        raise SignatureError("missing or malformed webhook-timestamp") from None
    moment = time.time() if now is None else now
    if abs(moment - timestamp) > tolerance:
        raise SignatureError("webhook-timestamp outside the tolerance")
    content = _signed_content(webhook_id, timestamp, body)
    for candidate in signatures.split():
        version, _, encoded = candidate.partition(",")
        if version != "v1a":
            continue
        try:
            key.verify(base64.b64decode(encoded, validate=True), content)
        except Exception:
            continue
        return webhook_id
    raise SignatureError("no valid v1a signature")


# -- development clients --------------------------------------------------------------------------------

_DEV_CLIENT_NAMESPACE = uuid.UUID("6f1c2d1e-8d7a-4c61-9d0e-7a3b5e2f0a10")


def development_client_id(org_code: str) -> uuid.UUID:
    """The external client id of a seeded provincial body's development system (`make run`, the tests):
    org-service registers it and the local stack hands out its key under the same id on every start."""
    return uuid.uuid5(_DEV_CLIENT_NAMESPACE, f"zhicheng:external-client:{org_code}")


# -- the issuing office's certificate signing key (NAT-10) ------------------------------------------

OFFICE_KEY_NAME = "certificate-key.pem"
OFFICE_CERT_NAME = "certificate-cert.pem"


def self_signed_certificate(issuer_name: str, directory: Path) -> tuple[Path, Path]:
    """NAT-10's issuing office outside production: a self-signed ECDSA P-256 key (PKCS#8) and X.509
    certificate in the issuer's name, kept in `directory` and reused when already there — the local stack
    and the tests sign certificates with it; production brings the office's own (review-service refuses
    to start without them)."""
    key_file, cert_file = directory / OFFICE_KEY_NAME, directory / OFFICE_CERT_NAME
    if key_file.is_file() and cert_file.is_file():
        return key_file, cert_file
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "甘肃省"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "平凉市"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, issuer_name),
            x509.NameAttribute(NameOID.COMMON_NAME, issuer_name),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=10 * 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Written beside and renamed: two processes starting at once never read half a key.
    for path, data, mode in (
        (key_file, key_pem, 0o600),
        (cert_file, cert.public_bytes(serialization.Encoding.PEM), 0o644),
    ):
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_bytes(data)
        partial.chmod(mode)
        partial.replace(path)
    return key_file, cert_file
