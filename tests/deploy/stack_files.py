"""What the deployment tests read: the compose file, the gateway configurations, the Kubernetes
manifests and the contract every process's environment fulfils.

No Docker engine and no network here, so the tests read the files and prove what can be proved
from them.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from zhicheng_devstack import gateway_routes

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE_FILE = ROOT / "docker-compose.yml"
COMPOSE_SCHEMA = Path(__file__).with_name("compose-schema.json")
COMPOSE_GATEWAY_CONF = DEPLOY / "gateway" / "nginx.conf"
K8S_GATEWAY_CONF = K8S / "gateway" / "nginx.conf"
SECRETS_EXAMPLE = K8S / "secrets.example.yaml"
README = DEPLOY / "README.md"

# service name -> (python module, database)
API_SERVICES = {
    "org-service": ("org_service", "zc_org"),
    "application-service": ("application_service", "zc_application"),
    "review-service": ("review_service", "zc_review"),
    "plagiarism-service": ("plagiarism_service", "zc_plagiarism"),
}
WORKER = "worker"
WORKER_MODULE = "zhicheng_workflows.worker"
WORKER_CLIENT_ID = "workflows"
GATEWAY = "gateway"
HTTP_PORT = 8000

SHARED_ENV = {
    "ZC_ENVIRONMENT",
    "ZC_KAFKA_BOOTSTRAP",
    "ZC_TEMPORAL_ADDRESS",
    "ZC_ORG_URL",
    "ZC_APPLICATION_URL",
    "ZC_REVIEW_URL",
    "ZC_PLAGIARISM_URL",
    "ZC_SERVICE_CLIENT_ID",
    "ZC_SERVICE_CLIENT_SECRET",
}
API_ENV = SHARED_ENV | {"ZC_HTTP_HOST", "ZC_HTTP_PORT", "ZC_DATABASE_URL"}
ORG_ONLY_ENV = {
    "ZC_JWT_PRIVATE_KEY_FILE",
    "ZC_SERVICE_CLIENTS",
    "ZC_BOOTSTRAP_ADMIN_PASSWORD",
    "ZC_BOOTSTRAP_OPERATOR_PASSWORD",
}
# POL-FI-1: application-service files each push batch with the provincial title office's system.
APPLICATION_ONLY_ENV = {
    "ZC_PROVINCE_URL",
    "ZC_PROVINCE_CLIENT_ID",
    "ZC_PROVINCE_ASSERTION_KEY_FILE",
    "ZC_PROVINCE_WEBHOOK_PUBLIC_KEY",
    "ZC_PROVINCE_CALLBACK_URL",
}
URL_ENV = {
    "ZC_ORG_URL": "org-service",
    "ZC_APPLICATION_URL": "application-service",
    "ZC_REVIEW_URL": "review-service",
    "ZC_PLAGIARISM_URL": "plagiarism-service",
}

# public path prefix -> owning service ("=" marks an exact path): the one route table, shared with the
# stack's web server (zhicheng_devstack.gateway_routes); the tests here prove nginx routes the same.
PUBLIC_ROUTES = gateway_routes.PUBLIC_ROUTES
INTERNAL_PATHS = [
    "/health",
    "/livez",
    "/api/v1/events",
    "/api/v1/events?after=0&limit=100",
    "/api/v1/events/stream",
    "/api/v1/internal/filings/x/deliver",
    "/api/v1/internal/push-windows/2026/x",
    "/api/v1/internal/review-years/2026/report",
    "/docs",
    "/openapi.json",
    "/metrics",
    "/",
]

SECRET_ENV_NAME = re.compile(r"PASSWORD|SECRET|_PWD$|TOKEN|PRIVATE_KEY$|SERVICE_CLIENTS$|DATABASE_URL$")
INTERPOLATION = re.compile(r"\$\{(?P<var>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}")
REQUIRED_INTERPOLATION = re.compile(r"\$\{(?P<var>[A-Z][A-Z0-9_]*):\?[^}]+\}")
DATABASE_URL = re.compile(
    r"^postgresql\+asyncpg://(?P<user>[a-z_]+):(?P<password>[^@]+)@(?P<host>[a-z0-9.-]+):5432/(?P<db>[a-z_]+)$"
)
PYTHON_MODULE_COMMAND = re.compile(r"python -m ([a-z_][a-z0-9_.]*)")


@cache
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    return data


def compose_services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = compose()["services"]
    return services


def compose_env(service: str) -> dict[str, str]:
    env = compose_services()[service].get("environment", {})
    assert isinstance(env, dict), f"{service}: write environment as a mapping"
    return {key: str(value) for key, value in env.items()}


def app_processes() -> dict[str, str]:
    """Zhicheng process name in compose/k8s -> the client id it authenticates as."""
    return {**{name: name for name in API_SERVICES}, WORKER: WORKER_CLIENT_ID}


def required_env(process: str) -> set[str]:
    if process == WORKER:
        return SHARED_ENV
    if process == "org-service":
        return API_ENV | ORG_ONLY_ENV
    if process == "application-service":
        return API_ENV | APPLICATION_ONLY_ENV
    return API_ENV


def module_of(process: str) -> str:
    return WORKER_MODULE if process == WORKER else API_SERVICES[process][0]


def command_module(command: Any) -> str | None:
    text = command if isinstance(command, str) else " ".join(command or [])
    found = PYTHON_MODULE_COMMAND.search(text)
    return found.group(1) if found else None


@cache
def kustomization() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    return data


@cache
def k8s_docs() -> list[tuple[str, dict[str, Any]]]:
    """Every manifest under deploy/k8s that kustomize applies, as (file, document)."""
    docs = []
    for name in kustomization()["resources"]:
        for doc in yaml.safe_load_all((K8S / name).read_text(encoding="utf-8")):
            if doc is not None:
                docs.append((name, doc))
    return docs


def k8s_objects(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for _, doc in k8s_docs() if doc["kind"] == kind}


def pod_labels(deployment: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = deployment["spec"]["template"]["metadata"]["labels"]
    return labels


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def deployments_selected_by(selector: dict[str, str]) -> list[str]:
    return [name for name, dep in k8s_objects("Deployment").items() if selects(selector, pod_labels(dep))]


def containers() -> Iterator[tuple[str, dict[str, Any]]]:
    for name, dep in k8s_objects("Deployment").items():
        for container in dep["spec"]["template"]["spec"]["containers"]:
            yield name, container


def k8s_container_env(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Variable -> {"value": ...} or {"secretKeyRef": ...}, config maps (envFrom) included."""
    configmaps = k8s_objects("ConfigMap")
    env: dict[str, dict[str, Any]] = {}
    for source in container.get("envFrom", []):
        for key, value in configmaps[source["configMapRef"]["name"]]["data"].items():
            env[key] = {"value": value}
    for item in container.get("env", []):
        env[item["name"]] = {"value": item["value"]} if "value" in item else item["valueFrom"]
    return env


@cache
def secrets_example() -> dict[str, dict[str, str]]:
    docs = [d for d in yaml.safe_load_all(SECRETS_EXAMPLE.read_text(encoding="utf-8")) if d]
    assert all(d["kind"] == "Secret" for d in docs)
    return {d["metadata"]["name"]: d["stringData"] for d in docs}


DEV_ONLY_MEMBERS = {"tooling"}  # benchmarks and evaluation kits: never in the production image


def workspace_members() -> list[str]:
    root = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return sorted(
        path.parent.relative_to(ROOT).as_posix()
        for pattern in root["tool"]["uv"]["workspace"]["members"]
        for path in ROOT.glob(f"{pattern}/pyproject.toml")
    )


# Directories a service writes to (the root filesystem is read-only in both stacks).
DATA_DIRS = {
    "application-service": ("ZC_ATTACHMENTS_DIR", "/var/lib/zhicheng/attachments"),
    "plagiarism-service": ("ZC_PLAGIARISM_INDEX_DIR", "/var/lib/zhicheng/plagiarism-index"),
}
