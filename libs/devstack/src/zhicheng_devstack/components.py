"""The application processes of the local stack: four FastAPI services, the provincial simulator (the
province's side of POL-FI-1's filing, a stand-in for an external system) and the Temporal worker."""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from zhicheng_devstack import local_http
from zhicheng_devstack.credentials import PROVINCE_CLIENT_ID, DevSecrets
from zhicheng_devstack.ports import Ports
from zhicheng_devstack.process import ManagedProcess, StartupError


@dataclass(frozen=True)
class ComponentSpec:
    name: str  # also the internal client id of a service
    module: str  # run as `python -m <module>`
    client_id: str
    port_field: str | None = None  # field of Ports; None for processes without HTTP (the worker)
    database: str | None = None

    @property
    def is_http(self) -> bool:
        return self.port_field is not None

    def port(self, ports: Ports) -> int:
        assert self.port_field is not None, f"{self.name} has no HTTP port"
        port: int = getattr(ports, self.port_field)
        return port


SERVICES: tuple[ComponentSpec, ...] = (
    ComponentSpec("org-service", "org_service", "org-service", "org", "zc_org"),
    ComponentSpec("application-service", "application_service", "application-service", "application", "zc_application"),
    ComponentSpec("review-service", "review_service", "review-service", "review", "zc_review"),
    ComponentSpec("plagiarism-service", "plagiarism_service", "plagiarism-service", "plagiarism", "zc_plagiarism"),
)
# Not one of our services: no internal client credentials, no Kafka; it runs even under
# ZC_ENVIRONMENT=production `make run` as the local stand-in for the provincial system.
SIMULATOR = ComponentSpec(
    "provincial-simulator", "provincial_simulator", "provincial-simulator", "province", "zc_province"
)
WORKER = ComponentSpec("worker", "zhicheng_workflows.worker", "workflows")
COMPONENTS: tuple[ComponentSpec, ...] = (*SERVICES, SIMULATOR, WORKER)
# The path of application-service's receiver of the province's verdict webhooks.
PROVINCE_CALLBACK_PATH = "/api/v1/provincial/callbacks"

# NAT-5 outside production: the unit's internal publicity compressed from 5 working days to seconds, so
# `make run`, `make demo` and the stack tests approve at the unit moments after recording it.
NAT5_PUBLICITY_SECONDS = 2

# A service imports, migrates and joins the broker before /health answers; on a loaded 2-core machine
# that has taken over a minute.
HEALTH_TIMEOUT = 120.0
WORKER_SETTLE = 2.0  # the worker must stay alive this long to count as started


def missing_module(spec: ComponentSpec) -> str | None:
    """Why `python -m <module>` cannot work in this environment, or None when it can."""
    try:
        found = importlib.util.find_spec(spec.module)
    except (ImportError, ValueError) as exc:
        return f"module {spec.module} cannot be imported ({exc})"
    if found is None:
        return f"module {spec.module} does not exist (not written yet, or package not installed)"
    if found.submodule_search_locations is not None:
        try:
            main = importlib.util.find_spec(f"{spec.module}.__main__")
        except (ImportError, ValueError):
            main = None
        if main is None:
            return f"package {spec.module} has no __main__.py, so `python -m {spec.module}` cannot run"
    return None


def base_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def stack_environment(base: Mapping[str, str]) -> str:
    """The services' ZC_ENVIRONMENT under `make run`: development, unless the caller set it
    (`ZC_ENVIRONMENT=production make run` starts the stack as in production: no development seed)."""
    return base.get("ZC_ENVIRONMENT") or "development"


def province_callback_host(ports: Ports) -> str:
    """The host:port of application-service as the province calls it back."""
    return f"127.0.0.1:{ports.application}"


def province_env(ports: Ports, secrets: DevSecrets) -> dict[str, str]:
    """The CONTRACT's province settings of application-service and the worker: the simulator."""
    return {
        "ZC_PROVINCE_URL": base_url(ports.province),
        "ZC_PROVINCE_CLIENT_ID": PROVINCE_CLIENT_ID,
        "ZC_PROVINCE_ASSERTION_KEY_FILE": str(secrets.province_assertion_key_file),
        "ZC_PROVINCE_WEBHOOK_PUBLIC_KEY": secrets.province_webhook_public_key(),
        "ZC_PROVINCE_CALLBACK_URL": base_url(ports.application) + PROVINCE_CALLBACK_PATH,
    }


def simulator_env(
    ports: Ports, secrets: DevSecrets, database_url: str | None, base: Mapping[str, str]
) -> dict[str, str]:
    """The provincial simulator's environment: its database, the city's registered assertion key, its
    webhook signing key, the reviewer token and the one callback host it may call (application-service).
    It never runs in production, so a production `make run` starts it as a development stand-in."""
    env = {k: v for k, v in base.items() if not k.startswith("ZC_")}
    environment = stack_environment(base)
    env.update(
        {
            "PYTHONUNBUFFERED": "1",
            "ZC_ENVIRONMENT": "development" if environment == "production" else environment,
            "ZC_HTTP_HOST": "127.0.0.1",
            "ZC_HTTP_PORT": str(ports.province),
            "ZC_PROVINCE_CLIENTS": json.dumps({PROVINCE_CLIENT_ID: secrets.province_assertion_public_pem()}),
            "ZC_PROVINCE_WEBHOOK_SECRET_KEY_FILE": str(secrets.province_webhook_key_file),
            "ZC_PROVINCE_REVIEWER_TOKEN": secrets.province_reviewer_token,
            "ZC_PROVINCE_CALLBACK_HOSTS": province_callback_host(ports),
        }
    )
    if database_url is not None:
        env["ZC_DATABASE_URL"] = database_url
    return env


def component_env(
    spec: ComponentSpec,
    ports: Ports,
    secrets: DevSecrets,
    database_url: str | None,
    kafka_bootstrap: str,
    temporal_address: str,
    base: Mapping[str, str],
) -> dict[str, str]:
    if spec is SIMULATOR:
        return simulator_env(ports, secrets, database_url, base)
    env = dict(base)
    env.update(
        {
            "PYTHONUNBUFFERED": "1",
            "ZC_ENVIRONMENT": stack_environment(base),
            "ZC_KAFKA_BOOTSTRAP": kafka_bootstrap,
            "ZC_TEMPORAL_ADDRESS": temporal_address,
            "ZC_ORG_URL": base_url(ports.org),
            "ZC_APPLICATION_URL": base_url(ports.application),
            "ZC_REVIEW_URL": base_url(ports.review),
            "ZC_PLAGIARISM_URL": base_url(ports.plagiarism),
            "ZC_SERVICE_CLIENT_ID": spec.client_id,
            "ZC_SERVICE_CLIENT_SECRET": secrets.client_secrets[spec.client_id],
        }
    )
    if spec.is_http:
        env["ZC_HTTP_HOST"] = "127.0.0.1"
        env["ZC_HTTP_PORT"] = str(spec.port(ports))
    if database_url is not None:
        env["ZC_DATABASE_URL"] = database_url
    if spec is WORKER:
        env.setdefault("ZC_WORKER_METRICS_PORT", str(ports.worker_metrics))
    if spec.name == "application-service" and env["ZC_ENVIRONMENT"] != "production":
        env.setdefault("ZC_NAT5_PUBLICITY_SECONDS", str(NAT5_PUBLICITY_SECONDS))
    if spec.name == "application-service" or spec is WORKER:
        # An operator's real province settings (production) win over the local simulator's.
        for name, value in province_env(ports, secrets).items():
            env.setdefault(name, value)
    if spec.name == "review-service":
        # NAT-10: certificates are signed with the office's key; their QR codes open the web application's
        # public /verify page (the stack's web server). An operator's own key and public address win.
        env.setdefault("ZC_CERTIFICATE_KEY_FILE", str(secrets.office_certificate_key_file))
        env.setdefault("ZC_CERTIFICATE_CERT_FILE", str(secrets.office_certificate_file))
        env.setdefault("ZC_PUBLIC_BASE_URL", base_url(ports.web))
        env.setdefault("ZC_BALLOT_KEY_FILE", str(secrets.ballot_key_file))  # NAT-2: seals the secret ballots
    if spec.name == "org-service":
        env["ZC_JWT_PRIVATE_KEY_FILE"] = str(secrets.jwt_private_key_file)
        env["ZC_SERVICE_CLIENTS"] = json.dumps(secrets.client_secrets)
        env["ZC_BOOTSTRAP_ADMIN_PASSWORD"] = secrets.bootstrap_admin_password
        env["ZC_BOOTSTRAP_OPERATOR_PASSWORD"] = secrets.bootstrap_operator_password
        env["ZC_BOOTSTRAP_PROVINCIAL_PASSWORDS"] = json.dumps(secrets.provincial_passwords)
        if env["ZC_ENVIRONMENT"] != "production":
            env["ZC_BOOTSTRAP_PROVINCIAL_CLIENTS"] = json.dumps(secrets.provincial_client_public_keys())
    return env


class ComponentProcess(ManagedProcess):
    """One service or worker process (``python -m <module>``) of the local stack."""

    def __init__(self, spec: ComponentSpec, ports: Ports, run_dir: Path, log_dir: Path) -> None:
        super().__init__(spec.name, pid_file=run_dir / f"{spec.name}.pid", log_file=log_dir / f"{spec.name}.log")
        self.spec = spec
        self.ports = ports

    @property
    def url(self) -> str | None:
        return base_url(self.spec.port(self.ports)) if self.spec.is_http else None

    def launch(self, env: Mapping[str, str], cwd: Path) -> None:
        reason = missing_module(self.spec)
        if reason is not None:
            raise StartupError(f"{self.name}: {reason}")
        if self.leftover_processes():
            self.stop()
        self.spawn([sys.executable, "-m", self.spec.module], env=env, cwd=cwd)

    def healthy(self, timeout: float = 2.0) -> bool:
        """HTTP services: GET /health answers 200. The worker: its process is alive."""
        if self.url is None:
            return self.is_running()
        try:
            response = local_http.get(f"{self.url}/health", timeout=timeout)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def wait_ready(self, timeout: float = HEALTH_TIMEOUT) -> None:
        """Block until healthy; raise StartupError with the log tail if it dies or times out."""
        started = time.monotonic()
        deadline = started + timeout
        while True:
            if self.died_early():
                raise self.fail("exited during startup")
            if self.url is None:
                if time.monotonic() - started >= WORKER_SETTLE:
                    return
            elif self.healthy():
                return
            if time.monotonic() >= deadline:
                raise self.fail(f"GET {self.url}/health did not answer 200 within {timeout:.0f} s")
            time.sleep(0.2)
