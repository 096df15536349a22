"""The provincial title office's system as this service reaches it (POL-FI-1): a `ProvincialClient`
built from the settings, and the province's webhook key. Outside production the province may be left
unconfigured: then a filing waits (503, the workflow retries) and callbacks are refused."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from zhicheng_kernel.provincial import ProvincialClient
from zhicheng_kernel.signing import load_private_key, parse_webhook_public_key

from ..settings import ApplicationSettings


@dataclass(frozen=True)
class Province:
    """What this service needs of the province: the client, where it calls us back, its webhook key."""

    client: ProvincialClient | None
    callback_url: str | None
    webhook_key: Ed25519PublicKey | None


def province_from(settings: ApplicationSettings) -> Province:
    client = None
    if settings.province_client_id and settings.province_assertion_key_file:
        key = load_private_key(settings.province_assertion_key_file.read_bytes())
        client = ProvincialClient(settings.province_url, settings.province_client_id, key)
    webhook_key = (
        parse_webhook_public_key(settings.province_webhook_public_key) if settings.province_webhook_public_key else None
    )
    return Province(client=client, callback_url=settings.province_callback_url, webhook_key=webhook_key)
