"""Development secrets, generated once per checkout into ``.data/`` (never committed)."""

from __future__ import annotations

import base64
import json
import os
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from zhicheng_kernel.signing import (
    development_client_id,
    load_private_key,
    public_key_pem,
    self_signed_certificate,
)

from zhicheng_devstack.paths import StackPaths

INTERNAL_CLIENTS: tuple[str, ...] = (
    "org-service",
    "application-service",
    "review-service",
    "plagiarism-service",
    "workflows",
)
JWT_KEY_NAME = "jwt-signing-key.pem"
# POL-FI-1's wire under `make run` and the tests: the city's client at the provincial simulator.
PROVINCE_CLIENT_ID = "620800-pingliang"
PROVINCE_ASSERTION_KEY_NAME = "province-assertion-key.pem"  # the city's Ed25519 key (RFC 7523 assertions)
PROVINCE_WEBHOOK_KEY_NAME = "province-webhook-key"  # the province's "whsk_..." (signs its callbacks)
PROVINCE_REVIEWER_TOKEN_NAME = "province-reviewer-token"  # bearer token of the simulator's reviewer API
BALLOT_KEY_NAME = "ballot-key"  # review-service's key that seals secret ballots (NAT-2, ZC_BALLOT_KEY_FILE)

# The seeded accounts of the city title office; org-service creates them with the given passwords.
CITY_OFFICE_CODE = "6208000001"
CITY_OFFICE_NAME = "平凉市职称改革工作领导小组办公室"
SYSTEM_ADMIN_USERNAME = CITY_OFFICE_CODE
BUSINESS_ADMIN_USERNAME = f"{CITY_OFFICE_CODE}-yw01"
# The provincial bodies ORG-2 needs, seeded in this order, so their codes are known (division 620000).
PROVINCIAL_BODIES: tuple[tuple[str, str], ...] = (
    ("6200000001", "甘肃省人力资源和社会保障厅"),
    ("6200000002", "甘肃省教育厅"),
    ("6200000003", "甘肃省卫生健康委员会"),
)


@dataclass(frozen=True)
class DevSecrets:
    jwt_private_key_file: Path
    client_secrets: dict[str, str]
    bootstrap_admin_password: str
    bootstrap_operator_password: str
    # Initial passwords of the provincial bodies' system administrators, by organization code;
    # they must be changed at the first login.
    provincial_passwords: dict[str, str]
    province_assertion_key_file: Path
    province_webhook_key_file: Path
    province_reviewer_token_file: Path
    # Outside production, each seeded provincial body's system is an external client of ours (issue 10
    # item 4): its Ed25519 key, by organization code; org-service registers the public half.
    provincial_client_key_files: dict[str, Path]
    # NAT-10: the city office's key and certificate that sign the qualification certificates (self-signed here).
    office_certificate_key_file: Path
    office_certificate_file: Path
    # NAT-2 (issue 12): the key that seals secret ballots (base64 of 32 bytes), outside the database.
    ballot_key_file: Path

    def provincial_client_public_keys(self) -> dict[str, str]:
        return {
            code: public_key_pem(load_private_key(path.read_bytes()).public_key())
            for code, path in self.provincial_client_key_files.items()
        }

    @property
    def province_reviewer_token(self) -> str:
        return self.province_reviewer_token_file.read_text().strip()

    def province_assertion_public_pem(self) -> str:
        """The city's assertion key, public half (PEM), as the province registers it."""
        key = serialization.load_pem_private_key(self.province_assertion_key_file.read_bytes(), password=None)
        return (
            key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def province_webhook_public_key(self) -> str:
        """The province's webhook key, public half ("whpk_..."), as the city verifies callbacks with it."""
        secret = self.province_webhook_key_file.read_text().strip().removeprefix("whsk_")
        key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(secret))
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return "whpk_" + base64.b64encode(raw).decode()

    def dev_credentials(self) -> dict[str, object]:
        return {
            "provincial_bodies": [
                {
                    "org_code": code,
                    "name": name,
                    "system_admin": {"username": code, "password": self.provincial_passwords[code]},
                    "external_client": {
                        "client_id": str(development_client_id(code)),
                        "private_key_file": str(self.provincial_client_key_files[code]),
                        "grant": "client_credentials with an RFC 7523 assertion (EdDSA), POST /api/v1/auth/token",
                    },
                }
                for code, name in PROVINCIAL_BODIES
            ],
            "city_title_office": {
                "org_code": CITY_OFFICE_CODE,
                "name": CITY_OFFICE_NAME,
                "system_admin": {"username": SYSTEM_ADMIN_USERNAME, "password": self.bootstrap_admin_password},
                "business_admin": {
                    "username": BUSINESS_ADMIN_USERNAME,
                    "password": self.bootstrap_operator_password,
                },
            },
            "provincial_simulator": {
                "client_id": PROVINCE_CLIENT_ID,
                "reviewer_token_file": str(self.province_reviewer_token_file),
            },
        }


def new_password() -> str:
    """A random password with upper and lower case letters, digits and a symbol."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(16))
    return f"Zc{body}#{secrets.randbelow(10)}a"


def write_private(path: Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` readable by the owner only (0600), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    data = content.encode() if isinstance(content, str) else content
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def _new_signing_key() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )


def load_or_create(paths: StackPaths) -> DevSecrets:
    """Read ``.data/secrets.json``, creating whatever is missing (first run) and keeping the rest."""
    stored: dict[str, object] = {}
    if paths.secrets_file.exists():
        stored = json.loads(paths.secrets_file.read_text())
    changed = not paths.secrets_file.exists()

    paths.secrets_dir.mkdir(parents=True, exist_ok=True)
    paths.secrets_dir.chmod(0o700)
    key_file = paths.secrets_dir / JWT_KEY_NAME
    if not key_file.exists():
        write_private(key_file, _new_signing_key())
        changed = True

    clients_raw = stored.get("client_secrets")
    clients: dict[str, str] = dict(clients_raw) if isinstance(clients_raw, dict) else {}
    for client in INTERNAL_CLIENTS:
        if not clients.get(client):
            clients[client] = secrets.token_urlsafe(32)
            changed = True

    passwords: dict[str, str] = {}
    for key in ("bootstrap_admin_password", "bootstrap_operator_password"):
        value = stored.get(key)
        if not isinstance(value, str) or not value:
            value = new_password()
            changed = True
        passwords[key] = value

    provincial_raw = stored.get("provincial_passwords")
    provincial: dict[str, str] = dict(provincial_raw) if isinstance(provincial_raw, dict) else {}
    for code, _ in PROVINCIAL_BODIES:
        if not provincial.get(code):
            provincial[code] = new_password()
            changed = True

    assertion_key_file = paths.secrets_dir / PROVINCE_ASSERTION_KEY_NAME
    if not assertion_key_file.exists():
        write_private(assertion_key_file, _new_signing_key())
        changed = True
    webhook_key_file = paths.secrets_dir / PROVINCE_WEBHOOK_KEY_NAME
    if not webhook_key_file.exists():
        raw = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        write_private(webhook_key_file, "whsk_" + base64.b64encode(raw).decode() + "\n")
        changed = True
    reviewer_token_file = paths.secrets_dir / PROVINCE_REVIEWER_TOKEN_NAME
    if not reviewer_token_file.exists():
        write_private(reviewer_token_file, secrets.token_urlsafe(32) + "\n")
        changed = True

    client_keys: dict[str, Path] = {}
    for code, _ in PROVINCIAL_BODIES:
        client_keys[code] = paths.secrets_dir / f"provincial-client-{code}.pem"
        if not client_keys[code].exists():
            write_private(client_keys[code], _new_signing_key())
            changed = True

    office_key_file, office_cert_file = self_signed_certificate(CITY_OFFICE_NAME, paths.secrets_dir / "certificate")

    ballot_key_file = paths.secrets_dir / BALLOT_KEY_NAME
    if not ballot_key_file.exists():
        write_private(ballot_key_file, base64.b64encode(secrets.token_bytes(32)).decode() + "\n")

    result = DevSecrets(
        jwt_private_key_file=key_file,
        client_secrets=clients,
        bootstrap_admin_password=passwords["bootstrap_admin_password"],
        bootstrap_operator_password=passwords["bootstrap_operator_password"],
        provincial_passwords=provincial,
        province_assertion_key_file=assertion_key_file,
        province_webhook_key_file=webhook_key_file,
        province_reviewer_token_file=reviewer_token_file,
        provincial_client_key_files=client_keys,
        office_certificate_key_file=office_key_file,
        office_certificate_file=office_cert_file,
        ballot_key_file=ballot_key_file,
    )
    if changed:
        document = {
            "jwt_private_key_file": str(key_file),
            "client_secrets": clients,
            **passwords,
            "provincial_passwords": provincial,
        }
        write_private(paths.secrets_file, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return result
