"""POL-FI-1's wire in the local stack: the provincial simulator is a component, and application-service,
the worker and the simulator get the CONTRACT's matching province settings."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from zhicheng_devstack.components import COMPONENTS, SIMULATOR, WORKER, component_env
from zhicheng_devstack.credentials import PROVINCE_CLIENT_ID, load_or_create
from zhicheng_devstack.harness import DATABASES, SERVICES
from zhicheng_devstack.paths import StackPaths
from zhicheng_devstack.ports import Ports
from zhicheng_kernel.signing import (
    client_assertion,
    load_private_key,
    load_public_key,
    parse_webhook_public_key,
    parse_webhook_secret_key,
    sign_webhook,
    verify_client_assertion,
    verify_webhook,
)

PROVINCE_VARS = {
    "ZC_PROVINCE_URL",
    "ZC_PROVINCE_CLIENT_ID",
    "ZC_PROVINCE_ASSERTION_KEY_FILE",
    "ZC_PROVINCE_WEBHOOK_PUBLIC_KEY",
    "ZC_PROVINCE_CALLBACK_URL",
}


def _env(name: str, tmp_path: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    spec = next(c for c in COMPONENTS if c.name == name)
    secrets = load_or_create(StackPaths(tmp_path))
    database = f"postgresql+asyncpg://postgres@127.0.0.1:1/{spec.database}" if spec.database else None
    return component_env(spec, Ports.from_env({}), secrets, database, "k:1", "t:1", base or {})


def test_the_simulator_is_a_component_with_its_own_database() -> None:
    assert [c.name for c in COMPONENTS][-2:] == ["provincial-simulator", "worker"]  # after the services
    assert SIMULATOR.module == "provincial_simulator" and SIMULATOR.port_field == "province"
    assert DATABASES["provincial-simulator"] == "zc_province"
    assert SERVICES["provincial-simulator"] == "provincial_simulator"
    assert Ports.from_env({}).province == 24105 and Ports.for_tests({"ZC_TEST_PORT_OFFSET": "2000"}).province == 26105


def test_pol_fi_1_city_and_province_settings_match(tmp_path: Path) -> None:
    app = _env("application-service", tmp_path)
    worker = _env(WORKER.name, tmp_path)
    sim = _env("provincial-simulator", tmp_path)
    assert PROVINCE_VARS <= app.keys()
    assert {k: worker[k] for k in PROVINCE_VARS} == {k: app[k] for k in PROVINCE_VARS}
    assert app["ZC_PROVINCE_URL"] == "http://127.0.0.1:24105"
    assert app["ZC_PROVINCE_CLIENT_ID"] == PROVINCE_CLIENT_ID
    assert app["ZC_PROVINCE_CALLBACK_URL"] == "http://127.0.0.1:24102/api/v1/provincial/callbacks"
    assert sim["ZC_PROVINCE_CALLBACK_HOSTS"] == "127.0.0.1:24102"
    assert sim["ZC_HTTP_PORT"] == "24105" and sim["ZC_DATABASE_URL"].endswith("/zc_province")
    assert "ZC_SERVICE_CLIENT_SECRET" not in sim  # not one of our services

    # the city's assertion key: its public half is what the simulator registers for the client
    key_file = Path(app["ZC_PROVINCE_ASSERTION_KEY_FILE"])
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    registered = {c: load_public_key(pem) for c, pem in json.loads(sim["ZC_PROVINCE_CLIENTS"]).items()}
    assertion = client_assertion(load_private_key(key_file.read_bytes()), PROVINCE_CLIENT_ID, "aud")
    assert verify_client_assertion(assertion, registered, "aud")["sub"] == PROVINCE_CLIENT_ID

    # the province's webhook key: the city verifies with the public half of what the simulator signs with
    secret_file = Path(sim["ZC_PROVINCE_WEBHOOK_SECRET_KEY_FILE"])
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    headers = sign_webhook(parse_webhook_secret_key(secret_file.read_text().strip()), "msg_1", b"{}")
    assert verify_webhook(parse_webhook_public_key(app["ZC_PROVINCE_WEBHOOK_PUBLIC_KEY"]), headers, b"{}") == "msg_1"
    assert len(sim["ZC_PROVINCE_REVIEWER_TOKEN"]) >= 16


def test_secrets_are_kept_between_runs(tmp_path: Path) -> None:
    first, second = load_or_create(StackPaths(tmp_path)), load_or_create(StackPaths(tmp_path))
    assert first.province_reviewer_token == second.province_reviewer_token
    assert first.province_webhook_public_key() == second.province_webhook_public_key()
    assert first.province_assertion_public_pem() == second.province_assertion_public_pem()


def test_production_run_keeps_the_simulator_as_a_stand_in(tmp_path: Path) -> None:
    """The simulator never runs in production; a production `make run` still starts it locally (as
    development), and an operator's real province settings win over the simulator's."""
    base = {"ZC_ENVIRONMENT": "production", "ZC_PROVINCE_URL": "https://province.example"}
    assert _env("provincial-simulator", tmp_path, base)["ZC_ENVIRONMENT"] == "development"
    app = _env("application-service", tmp_path, base)
    assert app["ZC_ENVIRONMENT"] == "production" and app["ZC_PROVINCE_URL"] == "https://province.example"
