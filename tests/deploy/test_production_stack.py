"""Structural checks of the production stack: docker-compose.yml, Dockerfile, deploy/.

No Docker engine and no network here, so these tests read the files and prove what can be proved
from them: the compose file fits the Compose Specification (a compact copy of its schema, see
compose-schema.json), every process gets the settings of its contract, secrets are never written
into the repository, the gateway routes each public path to its owner and nothing else, and the
Kubernetes manifests reference only objects that exist.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

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
URL_ENV = {
    "ZC_ORG_URL": "org-service",
    "ZC_APPLICATION_URL": "application-service",
    "ZC_REVIEW_URL": "review-service",
    "ZC_PLAGIARISM_URL": "plagiarism-service",
}

# public path prefix -> owning service; "=" marks an exact path
PUBLIC_ROUTES = {
    "/api/v1/auth/": "org-service",
    "/api/v1/orgs": "org-service",
    "/api/v1/accounts": "org-service",
    "=/.well-known/jwks.json": "org-service",
    "/api/v1/applications": "application-service",
    "/api/v1/pushes": "application-service",
    "/api/v1/registries": "application-service",
    "/api/v1/committees": "review-service",
    "/api/v1/sessions": "review-service",
    "/api/v1/documents": "review-service",
    "/api/v1/complaints": "review-service",
    "/api/v1/corpus": "plagiarism-service",
    "/api/v1/checks": "plagiarism-service",
    "/api/v1/reports": "plagiarism-service",
}
INTERNAL_PATHS = [
    "/health",
    "/api/v1/events",
    "/api/v1/events?after=0&limit=100",
    "/api/v1/events/stream",
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


# ---------------------------------------------------------------------------------------- helpers


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
    return API_ENV


def module_of(process: str) -> str:
    return WORKER_MODULE if process == WORKER else API_SERVICES[process][0]


def command_module(command: Any) -> str | None:
    text = command if isinstance(command, str) else " ".join(command or [])
    found = PYTHON_MODULE_COMMAND.search(text)
    return found.group(1) if found else None


@dataclass(frozen=True)
class Directive:
    name: str
    args: tuple[str, ...]
    block: tuple[Directive, ...] | None


def _nginx_tokens(text: str) -> Iterator[str]:
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "{};":
            yield c
            i += 1
        elif c in "\"'":
            j = i + 1
            while text[j] != c:
                j += 2 if text[j] == "\\" else 1
            yield text[i + 1 : j]
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in "{};":
                j += 1
            yield text[i:j]
            i = j


def _nginx_block(tokens: Iterator[str]) -> tuple[Directive, ...]:
    directives: list[Directive] = []
    words: list[str] = []
    for token in tokens:
        if token == ";":
            directives.append(Directive(words[0], tuple(words[1:]), None))
            words = []
        elif token == "{":
            directives.append(Directive(words[0], tuple(words[1:]), _nginx_block(tokens)))
            words = []
        elif token == "}":
            assert not words, f"unterminated directive {words}"
            return tuple(directives)
        else:
            words.append(token)
    assert not words, f"unterminated directive {words}"
    return tuple(directives)


def parse_nginx(path: Path) -> tuple[Directive, ...]:
    return _nginx_block(_nginx_tokens(path.read_text(encoding="utf-8")))


def children(block: tuple[Directive, ...] | None, name: str) -> list[Directive]:
    return [d for d in block or () if d.name == name]


@dataclass(frozen=True)
class Gateway:
    upstream_hosts: dict[str, list[str]]  # upstream name -> host:port of its servers
    locations: list[tuple[str, str, str | None]]  # (modifier, path, upstream name or None)

    def route(self, uri: str) -> str | None:
        """The upstream nginx picks for uri: exact match first, then the longest prefix."""
        path = uri.split("?", 1)[0]
        for modifier, location, upstream in self.locations:
            if modifier == "=" and location == path:
                return upstream
        prefixes = [(loc, up) for mod, loc, up in self.locations if mod != "=" and path.startswith(loc)]
        if not prefixes:
            return None
        return max(prefixes, key=lambda item: len(item[0]))[1]

    def route_to_host(self, uri: str) -> str | None:
        upstream = self.route(uri)
        if upstream is None:
            return None
        (server,) = self.upstream_hosts[upstream]
        return server.split(":")[0]


@cache
def gateway(path: Path) -> Gateway:
    (http,) = children(parse_nginx(path), "http")
    upstreams = {
        d.args[0]: [server.args[0] for server in children(d.block, "server")] for d in children(http.block, "upstream")
    }
    (api_server,) = [
        s for s in children(http.block, "server") if ("8080",) in [d.args for d in children(s.block, "listen")]
    ]
    locations: list[tuple[str, str, str | None]] = []
    for loc in children(api_server.block, "location"):
        modifier, location = ("", loc.args[0]) if len(loc.args) == 1 else loc.args
        proxy = children(loc.block, "proxy_pass")
        upstream = proxy[0].args[0].removeprefix("http://").rstrip("/") if proxy else None
        locations.append((modifier, location, upstream))
    return Gateway(upstreams, locations)


def public_samples() -> list[tuple[str, str]]:
    samples = []
    for prefix, owner in PUBLIC_ROUTES.items():
        if prefix.startswith("="):
            samples.append((prefix[1:], owner))
            continue
        base = prefix.rstrip("/")
        samples += [(f"{base}/x1", owner), (f"{base}/x1/sub?page=2", owner)]
        if not prefix.endswith("/"):
            samples += [(base, owner), (f"{base}?year=2026", owner)]
    return samples


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


# ---------------------------------------------------------------------------------------- compose


def test_compose_file_matches_the_compose_schema() -> None:
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(compose()), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_compose_schema_rejects_a_misspelt_service_key() -> None:
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    broken = {"services": {"org-service": {"image": "zhicheng", "depend_on": ["postgres"]}}}
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)


def test_compose_runs_every_process_the_dockerfile_and_readme_name() -> None:
    dockerfile_comments = [
        line for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines() if line.startswith("#")
    ]
    named = set(PYTHON_MODULE_COMMAND.findall("\n".join(dockerfile_comments)))
    named |= set(PYTHON_MODULE_COMMAND.findall(README.read_text(encoding="utf-8")))
    expected = {module_of(p) for p in app_processes()}
    assert expected <= named, f"Dockerfile/README do not name {expected - named}"
    run = {command_module(s.get("command")): name for name, s in compose_services().items()}
    assert named <= run.keys(), f"no compose service runs {named - run.keys()}"
    for process in app_processes():
        assert command_module(compose_services()[process]["command"]) == module_of(process)


def test_compose_app_processes_are_built_from_the_repo_dockerfile() -> None:
    images = set()
    for process in app_processes():
        service = compose_services()[process]
        assert service["build"] == {"context": ".", "dockerfile": "Dockerfile"}, process
        images.add(service["image"])
    assert len(images) == 1, "one image for every Python process"


def test_compose_depends_on_targets_exist_and_their_conditions_can_be_met() -> None:
    services = compose_services()
    for name, service in services.items():
        for target, rule in (service.get("depends_on") or {}).items():
            assert target in services, f"{name} depends on unknown service {target}"
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target} to be healthy"
            if rule["condition"] == "service_completed_successfully":
                assert not str(services[target].get("restart", "no")).startswith(("always", "unless")), target


def test_compose_dependency_graph_has_no_cycles() -> None:
    graph = {name: set(s.get("depends_on") or {}) for name, s in compose_services().items()}
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, f"dependency cycle {' -> '.join((*path, node))}"
        if node not in done:
            for target in graph[node]:
                visit(target, (*path, node))
            done.add(node)

    for node in graph:
        visit(node, ())


def test_compose_app_processes_wait_for_their_infrastructure() -> None:
    for process in app_processes():
        deps = compose_services()[process].get("depends_on", {})
        for broker in ("kafka-1", "kafka-2", "kafka-3"):
            assert deps.get(broker, {}).get("condition") == "service_healthy" or process == WORKER
        if process != WORKER:
            assert deps["postgres"]["condition"] == "service_healthy", process
    worker_deps = compose_services()[WORKER]["depends_on"]
    assert {"temporal-namespace", *API_SERVICES} <= worker_deps.keys()
    for service in API_SERVICES:
        assert worker_deps[service]["condition"] == "service_healthy"
        assert compose_services()[GATEWAY]["depends_on"][service]["condition"] == "service_healthy"


def test_compose_postgres_is_18_and_creates_one_database_per_service() -> None:
    postgres = compose_services()["postgres"]
    assert postgres["image"] == "postgres:18"
    mounts = {v.split(":")[0]: v.split(":")[1] for v in postgres["volumes"]}
    init = [src for src, dst in mounts.items() if dst.startswith("/docker-entrypoint-initdb.d/")]
    assert init == ["./deploy/postgres/init-databases.sh"]
    script = (ROOT / init[0]).read_text(encoding="utf-8")
    for _, database in API_SERVICES.values():
        assert re.search(rf"^create_database {database} {database}$", script, re.M), database
        assert re.search(rf"^create_role {database} ", script, re.M), database
    assert "REVOKE ALL ON DATABASE" in script
    for variable in REQUIRED_INTERPOLATION.findall(" ".join(compose_env("postgres").values())):
        assert variable in script or variable == "POSTGRES_PASSWORD"


def test_compose_kafka_is_a_replicated_three_broker_kraft_cluster() -> None:
    brokers = {n: s for n, s in compose_services().items() if s.get("image", "").startswith("apache/kafka:")}
    assert sorted(brokers) == ["kafka-1", "kafka-2", "kafka-3"]
    node_ids, voters, cluster_ids = set(), set(), set()
    for name, broker in brokers.items():
        env = compose_env(name)
        assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
        assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_MIN_INSYNC_REPLICAS"] == "2"
        assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "true"
        assert env["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://{name}:9092"
        assert "healthcheck" in broker and broker["volumes"], name
        node_ids.add(env["KAFKA_NODE_ID"])
        voters.add(env["KAFKA_CONTROLLER_QUORUM_VOTERS"])
        cluster_ids.add(env["CLUSTER_ID"])
    assert node_ids == {"1", "2", "3"}
    assert len(voters) == 1 and len(cluster_ids) == 1
    assert voters.pop() == "1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093"
    for process in app_processes():
        assert compose_env(process)["ZC_KAFKA_BOOTSTRAP"].split(",") == [f"{b}:9092" for b in sorted(brokers)]


def test_compose_runs_temporal_server_ui_and_its_setup_jobs() -> None:
    services = compose_services()
    assert services["temporal"]["image"].startswith("temporalio/server:")
    assert services["temporal-ui"]["image"].startswith("temporalio/ui:")
    assert compose_env("temporal")["DB"] == "postgres12"
    assert compose_env("temporal-ui")["TEMPORAL_ADDRESS"] == "temporal:7233"
    for job in ("temporal-schema", "temporal-namespace"):
        script = services[job]["command"][0].replace("/deploy/", "deploy/", 1)
        assert (ROOT / script).is_file(), f"{job} runs missing {script}"
    for process in app_processes():
        assert compose_env(process)["ZC_TEMPORAL_ADDRESS"] == "temporal:7233"


def test_compose_every_process_gets_its_required_environment() -> None:
    for process, client_id in app_processes().items():
        env = compose_env(process)
        missing = required_env(process) - env.keys()
        assert not missing, f"{process} lacks {sorted(missing)}"
        assert env["ZC_ENVIRONMENT"] == "production"
        assert env["ZC_SERVICE_CLIENT_ID"] == client_id
        if process != WORKER:
            assert env["ZC_HTTP_PORT"] == str(HTTP_PORT)
            assert env["ZC_HTTP_HOST"] == "0.0.0.0"


def test_compose_each_service_uses_its_own_database_and_role() -> None:
    seen_users, seen_dbs = set(), set()
    for service, (_, database) in API_SERVICES.items():
        url = DATABASE_URL.match(compose_env(service)["ZC_DATABASE_URL"])
        assert url, f"{service}: ZC_DATABASE_URL must be postgresql+asyncpg://USER:PASS@HOST:5432/DB"
        assert url["db"] == database and url["user"] == database
        assert url["host"] == "postgres"
        seen_users.add(url["user"])
        seen_dbs.add(url["db"])
    assert len(seen_users) == len(seen_dbs) == len(API_SERVICES)
    assert "ZC_DATABASE_URL" not in compose_env(WORKER), "the worker owns no database"


def test_compose_internal_urls_point_at_the_services_port() -> None:
    for process in app_processes():
        env = compose_env(process)
        for variable, target in URL_ENV.items():
            url = urlsplit(env[variable])
            assert (url.scheme, url.hostname, url.port) == ("http", target, HTTP_PORT), (process, variable)
            assert "healthcheck" in compose_services()[target]


def test_compose_secrets_are_required_interpolations_never_literals() -> None:
    for name in compose_services():
        for key, value in compose_env(name).items():
            if not SECRET_ENV_NAME.search(key):
                continue
            if key.endswith("DATABASE_URL"):
                url = DATABASE_URL.match(value)
                assert url and REQUIRED_INTERPOLATION.fullmatch(url["password"]), f"{name}.{key}"
            elif key.endswith("SERVICE_CLIENTS"):
                clients = json.loads(value)
                assert all(REQUIRED_INTERPOLATION.fullmatch(v) for v in clients.values()), f"{name}.{key}"
            else:
                assert REQUIRED_INTERPOLATION.fullmatch(value), f"{name}.{key} must be ${{VAR:?message}}"
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert "PRIVATE KEY" not in text
    required = {m["var"] for m in INTERPOLATION.finditer(text) if m["op"] == ":?"}
    for match in INTERPOLATION.finditer(text):
        if match["var"] in required:
            assert match["op"] == ":?", f"{match[0]}: a secret gets no default"


def test_compose_service_clients_list_every_caller_with_its_own_secret() -> None:
    clients = json.loads(compose_env("org-service")["ZC_SERVICE_CLIENTS"])
    assert set(clients) == set(app_processes().values())
    for process, client_id in app_processes().items():
        assert compose_env(process)["ZC_SERVICE_CLIENT_SECRET"] == clients[client_id]
    variables = [REQUIRED_INTERPOLATION.fullmatch(v)["var"] for v in clients.values()]  # type: ignore[index]
    assert len(set(variables)) == len(variables), "each client has its own secret"


def test_compose_jwt_key_is_a_file_secret_from_the_operator() -> None:
    secrets = compose()["secrets"]
    (mount,) = compose_services()["org-service"]["secrets"]
    secret = secrets[mount["source"]]
    assert REQUIRED_INTERPOLATION.fullmatch(secret["file"])
    target = mount.get("target", mount["source"])
    assert compose_env("org-service")["ZC_JWT_PRIVATE_KEY_FILE"] == f"/run/secrets/{target}"
    for name, service in compose_services().items():
        if name != "org-service":
            assert "secrets" not in service, f"{name} must not see the signing key"


def test_compose_env_example_lists_every_required_variable_without_values() -> None:
    example = {}
    for line in (DEPLOY / "compose.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            example[key.strip()] = value.strip()
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    required = {m["var"] for m in INTERPOLATION.finditer(text) if m["op"] == ":?"}
    assert required == example.keys()
    assert all(value == "" for value in example.values()), "the example ships no values"


def test_compose_only_the_gateway_publishes_ports() -> None:
    publishing = {name for name, service in compose_services().items() if service.get("ports")}
    assert publishing == {GATEWAY}
    ports = compose_services()[GATEWAY]["ports"]
    assert any(str(p).endswith(":8080") for p in ports)
    for port in ports:
        if str(port).endswith(":8233"):
            assert str(port).startswith("127.0.0.1:"), "the Temporal UI is published on loopback only"


def test_compose_api_services_are_replicated_and_health_checked_on_health() -> None:
    for service in API_SERVICES:
        spec = compose_services()[service]
        assert spec["deploy"]["replicas"] >= 2, service
        assert f"127.0.0.1:{HTTP_PORT}/health" in " ".join(spec["healthcheck"]["test"]), service
        assert "container_name" not in spec, "a fixed container name prevents replicas"
    assert compose_services()[WORKER]["deploy"]["replicas"] >= 2


def test_compose_gateway_mounts_the_gateway_config() -> None:
    volumes = compose_services()[GATEWAY]["volumes"]
    assert "./deploy/gateway/nginx.conf:/etc/nginx/nginx.conf:ro" in volumes


def test_compose_bind_mounts_exist_in_the_repo() -> None:
    for name, service in compose_services().items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"


# ---------------------------------------------------------------------------------------- Dockerfile


def test_dockerfile_builds_with_frozen_uv_sync_on_python_311_slim_as_non_root() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", text, re.M))
    stages = [args.get(m.strip("${}"), m) for m in re.findall(r"^FROM (\S+)", text, re.M)]
    assert stages.count("python:3.11-slim") >= 2, "builder and runtime on python:3.11-slim"
    assert "uv sync --frozen --no-dev" in text
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and users[-1].split(":")[0] not in {"root", "0"}


DEV_ONLY_MEMBERS = {"tooling"}  # benchmarks and evaluation kits: never in the production image


def workspace_members() -> list[str]:
    root = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return sorted(
        path.parent.relative_to(ROOT).as_posix()
        for pattern in root["tool"]["uv"]["workspace"]["members"]
        for path in ROOT.glob(f"{pattern}/pyproject.toml")
    )


def test_dockerfile_copies_every_production_workspace_member_manifest() -> None:
    members = [m for m in workspace_members() if m not in DEV_ONLY_MEMBERS]
    assert members, "workspace members"
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for member in members:
        assert f"COPY {member}/pyproject.toml {member}/pyproject.toml" in text, member
    for top in {m.split("/")[0] for m in members}:
        assert re.search(rf"^COPY {top} {top}$", text, re.M), top


def test_image_carries_no_tooling() -> None:
    """Benchmarks and evaluation kits are a dev dependency of the root, kept out of the build context."""
    assert DEV_ONLY_MEMBERS <= set(workspace_members())
    root = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    production = " ".join(root["project"]["dependencies"])
    dev = " ".join(root["dependency-groups"]["dev"])
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    for member in DEV_ONLY_MEMBERS:
        name = tomllib.loads((ROOT / member / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]
        assert name in dev and name not in production, f"{name} must be a dev dependency only"
        assert member in ignored, f".dockerignore must leave {member}/ out of the build context"
        assert not re.search(rf"^COPY {member}\b", text, re.M), f"the Dockerfile must not copy {member}/"
    assert "uv sync --frozen --no-dev" in text


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_build_context() -> None:
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".git", ".venv", ".data", ".env", "*.pem", "tests"} <= ignored


# ---------------------------------------------------------------------------------------- gateway

GATEWAY_CONFS = [
    pytest.param(COMPOSE_GATEWAY_CONF, id="compose"),
    pytest.param(K8S_GATEWAY_CONF, id="kubernetes"),
]


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_gateway_routes_every_public_prefix_to_its_service(conf: Path) -> None:
    gw = gateway(conf)
    for uri, owner in public_samples():
        assert gw.route_to_host(uri) == owner, f"{uri} should reach {owner}"


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_gateway_keeps_health_and_event_feeds_internal(conf: Path) -> None:
    gw = gateway(conf)
    for uri in INTERNAL_PATHS:
        assert gw.route(uri) is None, f"{uri} must not be routed"
    assert gw.route("/healthz") is None, "the gateway answers its own health check"


@pytest.mark.parametrize("conf", GATEWAY_CONFS)
def test_gateway_uses_only_exact_and_prefix_locations(conf: Path) -> None:
    """The routing simulation above is exact only for these location kinds."""
    for modifier, location, _ in gateway(conf).locations:
        assert modifier in {"", "=", "^~"} and location.startswith("/")


def test_gateway_compose_upstreams_are_compose_services_on_the_http_port() -> None:
    for upstream, servers in gateway(COMPOSE_GATEWAY_CONF).upstream_hosts.items():
        for server in servers:
            host, port = server.split(":")
            assert host in compose_services(), f"{upstream} -> unknown {host}"
            if host in API_SERVICES:
                assert int(port) == HTTP_PORT


def test_gateway_kubernetes_upstreams_are_services_of_the_namespace() -> None:
    services = k8s_objects("Service")
    for upstream, servers in gateway(K8S_GATEWAY_CONF).upstream_hosts.items():
        for server in servers:
            host, port = server.split(":")
            assert host in services, f"{upstream} -> unknown Service {host}"
            assert int(port) in [p["port"] for p in services[host]["spec"]["ports"]]


# ---------------------------------------------------------------------------------------- Kubernetes


def test_k8s_manifests_have_api_version_kind_and_name() -> None:
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc is None:
                continue
            assert doc.get("apiVersion") and doc.get("kind"), path.name
            if doc["kind"] != "Kustomization":
                assert doc.get("metadata", {}).get("name"), path.name


def test_kustomization_lists_every_manifest_and_only_existing_files() -> None:
    listed = set(kustomization()["resources"])
    for name in listed:
        assert (K8S / name).is_file(), f"kustomization lists missing {name}"
    manifests = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", SECRETS_EXAMPLE.name}
    assert manifests == listed
    for generator in kustomization().get("configMapGenerator", []):
        for entry in generator["files"]:
            assert (K8S / entry.split("=")[-1]).is_file(), entry


def test_k8s_deployment_selectors_match_their_pod_labels() -> None:
    for name, dep in k8s_objects("Deployment").items():
        selector = dep["spec"]["selector"]["matchLabels"]
        assert selector and selects(selector, pod_labels(dep)), name
        others = [d for d in deployments_selected_by(selector) if d != name]
        assert not others, f"{name}'s selector also matches {others}"


def test_k8s_services_select_an_existing_deployment_and_port() -> None:
    for name, svc in k8s_objects("Service").items():
        (target,) = deployments_selected_by(svc["spec"]["selector"])
        (container, *_) = k8s_objects("Deployment")[target]["spec"]["template"]["spec"]["containers"]
        ports = {p["name"] for p in container["ports"]} | {p["containerPort"] for p in container["ports"]}
        for port in svc["spec"]["ports"]:
            assert port["targetPort"] in ports, f"Service {name} targets unknown port {port['targetPort']}"


def test_k8s_hpas_target_existing_deployments() -> None:
    deployments = k8s_objects("Deployment")
    hpas = k8s_objects("HorizontalPodAutoscaler")
    for name, hpa in hpas.items():
        assert hpa["apiVersion"] == "autoscaling/v2"
        ref = hpa["spec"]["scaleTargetRef"]
        assert ref["kind"] == "Deployment" and ref["name"] in deployments, name
        assert 2 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        assert hpa["spec"]["metrics"], name
    scaled = {hpa["spec"]["scaleTargetRef"]["name"] for hpa in hpas.values()}
    assert scaled == set(deployments), "every Deployment scales horizontally"


def test_k8s_pod_disruption_budgets_cover_every_deployment() -> None:
    covered = set()
    for name, pdb in k8s_objects("PodDisruptionBudget").items():
        assert pdb["apiVersion"] == "policy/v1"
        (target,) = deployments_selected_by(pdb["spec"]["selector"]["matchLabels"])
        assert pdb["spec"]["minAvailable"] < k8s_objects("Deployment")[target]["spec"]["replicas"], name
        covered.add(target)
    assert covered == set(k8s_objects("Deployment"))


def test_k8s_network_policies_select_existing_pods() -> None:
    for name, policy in k8s_objects("NetworkPolicy").items():
        selector = policy["spec"]["podSelector"].get("matchLabels", {})
        assert deployments_selected_by(selector), f"NetworkPolicy {name} selects no pods"
        for rule in policy["spec"].get("ingress", []):
            for peer in rule.get("from", []):
                assert deployments_selected_by(peer["podSelector"]["matchLabels"]), name


def test_k8s_runs_every_process_replicated_with_the_right_module() -> None:
    deployments = k8s_objects("Deployment")
    assert set(deployments) == {*app_processes(), GATEWAY}
    for process in app_processes():
        (container,) = deployments[process]["spec"]["template"]["spec"]["containers"]
        assert command_module(container["command"]) == module_of(process)
        assert container["image"] == "zhicheng"
    images = {i["name"] for i in kustomization()["images"]}
    assert "zhicheng" in images
    for name, dep in deployments.items():
        assert dep["spec"]["replicas"] >= 2, name


def test_k8s_containers_have_resources_and_http_probes() -> None:
    for name, container in containers():
        resources = container.get("resources", {})
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= resources.get(kind, {}).keys(), f"{name}: resources.{kind}"
        if not container.get("ports"):
            assert name == WORKER, f"{name} exposes no port"
            continue
        port_names = {p["name"] for p in container["ports"]} | {p["containerPort"] for p in container["ports"]}
        expected = "/healthz" if name == GATEWAY else "/health"
        for probe in ("readinessProbe", "livenessProbe"):
            get = container[probe]["httpGet"]
            assert get["path"] == expected and get["port"] in port_names, f"{name}.{probe}"
    for process in API_SERVICES:
        (container,) = k8s_objects("Deployment")[process]["spec"]["template"]["spec"]["containers"]
        assert container["ports"][0]["containerPort"] == HTTP_PORT


def test_k8s_pods_run_as_non_root_with_a_read_only_root() -> None:
    for name, dep in k8s_objects("Deployment").items():
        pod = dep["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["readOnlyRootFilesystem"] is True, name


def test_k8s_every_process_gets_its_required_environment() -> None:
    services = k8s_objects("Service")
    for process, client_id in app_processes().items():
        (container,) = k8s_objects("Deployment")[process]["spec"]["template"]["spec"]["containers"]
        env = k8s_container_env(container)
        missing = required_env(process) - env.keys()
        assert not missing, f"{process} lacks {sorted(missing)}"
        assert env["ZC_ENVIRONMENT"] == {"value": "production"}
        assert env["ZC_SERVICE_CLIENT_ID"] == {"value": client_id}
        for variable, target in URL_ENV.items():
            url = urlsplit(env[variable]["value"])
            assert url.hostname == target and url.port in [p["port"] for p in services[target]["spec"]["ports"]]
        for variable, source in env.items():
            if SECRET_ENV_NAME.search(variable):
                assert "secretKeyRef" in source, f"{process}.{variable} must come from a Secret"
    key_file = k8s_container_env(k8s_objects("Deployment")["org-service"]["spec"]["template"]["spec"]["containers"][0])
    org = k8s_objects("Deployment")["org-service"]["spec"]["template"]["spec"]
    mounts = {m["name"]: m["mountPath"] for m in org["containers"][0]["volumeMounts"]}
    secret_volumes = {v["name"]: v["secret"] for v in org["volumes"] if "secret" in v}
    paths = {f"{mounts[n]}/{item['path']}" for n, s in secret_volumes.items() for item in s["items"]}
    assert key_file["ZC_JWT_PRIVATE_KEY_FILE"]["value"] in paths, "the key file comes from a mounted Secret"


def test_k8s_secret_refs_point_at_documented_secrets() -> None:
    documented = secrets_example()
    readme = README.read_text(encoding="utf-8")
    refs: set[tuple[str, str]] = set()
    for dep in k8s_objects("Deployment").values():
        pod = dep["spec"]["template"]["spec"]
        for volume in pod.get("volumes", []):
            if "secret" in volume:
                refs |= {(volume["secret"]["secretName"], i["key"]) for i in volume["secret"]["items"]}
        for container in pod["containers"]:
            for item in container.get("env", []):
                ref = item.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    refs.add((ref["name"], ref["key"]))
    assert refs
    for secret, key in refs:
        assert secret in documented, f"Secret {secret} is not in {SECRETS_EXAMPLE.name}"
        assert key in documented[secret], f"key {key} of Secret {secret} is not documented"
        assert secret in readme, f"deploy/README.md does not explain Secret {secret}"
    assert {s for s, _ in refs} == set(documented), "the example documents only Secrets in use"


def test_k8s_ships_no_secret_values() -> None:
    assert not k8s_objects("Secret"), "kustomize must not apply Secrets"
    assert "secretGenerator" not in kustomization()
    assert SECRETS_EXAMPLE.name not in kustomization()["resources"]
    for secret, data in secrets_example().items():
        for key, value in data.items():
            assert "CHANGE-ME" in value, f"{secret}.{key} must be a placeholder"


def test_k8s_config_maps_referenced_exist() -> None:
    available = set(k8s_objects("ConfigMap")) | {g["name"] for g in kustomization().get("configMapGenerator", [])}
    for name, dep in k8s_objects("Deployment").items():
        pod = dep["spec"]["template"]["spec"]
        refs = {v["configMap"]["name"] for v in pod.get("volumes", []) if "configMap" in v}
        for container in pod["containers"]:
            refs |= {s["configMapRef"]["name"] for s in container.get("envFrom", [])}
            mounted = {m["name"] for m in container.get("volumeMounts", [])}
            assert mounted <= {v["name"] for v in pod.get("volumes", [])}, name
        assert refs <= available, f"{name} references missing ConfigMaps {refs - available}"


def test_k8s_gateway_is_the_only_externally_exposed_service() -> None:
    for name, svc in k8s_objects("Service").items():
        external = svc["spec"].get("type", "ClusterIP") in {"LoadBalancer", "NodePort"}
        assert external == (name == GATEWAY), name
    assert not k8s_objects("Ingress")


# ---------------------------------------------------------------------------------------- README


def test_readme_explains_running_and_scaling_the_production_stack() -> None:
    text = README.read_text(encoding="utf-8")
    for needle in (
        "docker compose --env-file",
        "up -d --build",
        "kubectl apply -k deploy/k8s",
        "create secret generic",
        "advisory lock",
        "consumer group",
        "task queue",
        "externally",
    ):
        assert needle in text, f"deploy/README.md should cover {needle!r}"


# Directories a service writes to (the root filesystem is read-only in both stacks).
DATA_DIRS = {
    "application-service": ("ZC_ATTACHMENTS_DIR", "/var/lib/zhicheng/attachments"),
    "plagiarism-service": ("ZC_PLAGIARISM_INDEX_DIR", "/var/lib/zhicheng/plagiarism-index"),
}


def test_compose_data_directories_are_volumes() -> None:
    services = compose_services()
    for service, (variable, path) in DATA_DIRS.items():
        assert compose_env(service)[variable] == path
        mounts = [str(v).split(":")[-1] for v in services[service].get("volumes", [])]
        assert path in mounts, f"{service} writes {path}, which must be a volume"
    # Attachments are shared by the replicas, so they are a named volume.
    assert "application-attachments" in compose()["volumes"]


def test_k8s_data_directories_are_volumes_and_attachments_persist() -> None:
    deployments = k8s_objects("Deployment")
    claims = k8s_objects("PersistentVolumeClaim")
    for service, (variable, path) in DATA_DIRS.items():
        pod = deployments[service]["spec"]["template"]["spec"]
        (container,) = [c for c in pod["containers"] if c["name"] == service] or pod["containers"][:1]
        assert k8s_container_env(container)[variable]["value"] == path
        mount = next(m for m in container["volumeMounts"] if m["mountPath"] == path)
        volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
        if service == "application-service":
            claim = volume["persistentVolumeClaim"]["claimName"]
            assert "ReadWriteMany" in claims[claim]["spec"]["accessModes"], "shared by every replica"
        else:
            assert "emptyDir" in volume
        assert pod["securityContext"]["fsGroup"] == 10001


def test_image_prepares_the_data_directories_for_its_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "chown -R 10001:10001 /var/lib/zhicheng" in dockerfile
