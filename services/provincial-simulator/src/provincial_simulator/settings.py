"""The simulator's settings, read from ZC_* environment variables (devstack sets them)."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from zhicheng_kernel.signing import load_public_key, parse_webhook_secret_key

MIN_REVIEWER_TOKEN = 16


class SimulatorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZC_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    http_host: str = "127.0.0.1"
    http_port: int = 24105
    database_url: str = ""
    # ZC_PROVINCE_CLIENTS: JSON {client_id: Ed25519 public key PEM} of the cities allowed to file.
    province_clients: str = "{}"
    # ZC_PROVINCE_WEBHOOK_SECRET_KEY_FILE: a file holding the province's "whsk_..." webhook signing key.
    province_webhook_secret_key_file: Path | None = None
    # ZC_PROVINCE_REVIEWER_TOKEN: the bearer token of the provincial reviewer API.
    province_reviewer_token: str = ""
    # ZC_PROVINCE_CALLBACK_HOSTS: the host:port a filing's callback_url may name (comma-separated or a
    # JSON list); any other is refused, so the simulator cannot be made to call arbitrary hosts.
    province_callback_hosts: str = ""
    # ZC_PROVINCE_PUBLIC_URL: the base URL clients use when it is neither 127.0.0.1, localhost nor
    # ZC_HTTP_HOST (a proxy in front); its /oauth2/token is then an accepted assertion audience.
    province_public_url: str = ""
    province_token_seconds: int = Field(default=600, ge=60, le=3600)
    # Delivery of verdict webhooks: 1 s, 2 s, 4 s, … capped, given up after about a day.
    province_retry_base_seconds: float = Field(default=1.0, gt=0, le=60)
    province_retry_max_seconds: float = Field(default=300.0, gt=0, le=3600)
    province_delivery_give_up_seconds: float = Field(default=86400.0, gt=0, le=7 * 86400)
    # How many webhooks are in flight at once (a province's webhook sender does not wait for one city
    # answer before sending the next verdict).
    province_delivery_concurrency: int = Field(default=8, ge=1, le=64)

    @model_validator(mode="after")
    def _never_in_production(self) -> SimulatorSettings:
        if self.environment == "production":
            raise ValueError("the provincial simulator never runs in production (ZC_ENVIRONMENT=production)")
        return self

    def check_complete(self) -> None:
        """What the running simulator needs (the contract generator builds the app without it)."""
        if not self.database_url:
            raise ValueError("ZC_DATABASE_URL must be set")
        if len(self.province_reviewer_token) < MIN_REVIEWER_TOKEN:
            raise ValueError(f"ZC_PROVINCE_REVIEWER_TOKEN must be at least {MIN_REVIEWER_TOKEN} characters")
        if self.province_webhook_secret_key_file is None:
            raise ValueError("ZC_PROVINCE_WEBHOOK_SECRET_KEY_FILE must be set")
        self.client_keys  # noqa: B018 - parse now, fail at start
        self.webhook_key  # noqa: B018

    @cached_property
    def client_keys(self) -> dict[str, Ed25519PublicKey]:
        raw = json.loads(self.province_clients or "{}")
        if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
            raise ValueError("ZC_PROVINCE_CLIENTS must be a JSON object {client_id: public key PEM}")
        return {client: load_public_key(pem) for client, pem in raw.items()}

    @cached_property
    def webhook_key(self) -> Ed25519PrivateKey:
        if self.province_webhook_secret_key_file is None:
            raise ValueError("ZC_PROVINCE_WEBHOOK_SECRET_KEY_FILE must be set")
        return parse_webhook_secret_key(self.province_webhook_secret_key_file.read_text().strip())

    @cached_property
    def callback_hosts(self) -> frozenset[str]:
        text = self.province_callback_hosts.strip()
        entries = json.loads(text) if text.startswith("[") else text.split(",")
        return frozenset(str(entry).strip().lower() for entry in entries if str(entry).strip())

    def callback_allowed(self, url: str) -> bool:
        """Whether a callback URL's host:port is one the province registered: the simulator calls no
        other address (no SSRF through a filing's callback_url); checked at filing and at each delivery."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or "@" in parts.netloc:  # no user info: one reading only
            return False
        try:
            port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
        except ValueError:
            return False
        host = (parts.hostname or "").lower()
        return bool(host) and port is not None and f"{host}:{port}" in self.callback_hosts

    @cached_property
    def token_audiences(self) -> frozenset[str]:
        """The token endpoint's own URLs an assertion's `aud` may name: the simulator as reached on
        127.0.0.1, localhost or its bind host, and the configured public URL."""
        hosts = {"127.0.0.1", "localhost", self.http_host}
        urls = {f"http://{host}:{self.http_port}/oauth2/token" for host in hosts if host not in ("0.0.0.0", "::")}
        if self.province_public_url:
            urls.add(self.province_public_url.rstrip("/") + "/oauth2/token")
        return frozenset(urls)
