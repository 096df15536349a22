"""docker-compose.yml: it fits the Compose Specification (a compact copy of its schema in
compose-schema.json), runs every process from the one image, starts them in an order that can be met,
and runs PostgreSQL 18, a three-broker Kafka cluster and Temporal as production needs them."""

from __future__ import annotations

import json
import re

import jsonschema

from tests.deploy.stack_files import (
    API_SERVICES,
    COMPOSE_SCHEMA,
    DATA_DIRS,
    GATEWAY,
    HTTP_PORT,
    PYTHON_MODULE_COMMAND,
    README,
    REQUIRED_INTERPOLATION,
    ROOT,
    WORKER,
    app_processes,
    command_module,
    compose,
    compose_env,
    compose_services,
    module_of,
)


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
        # finding 9 of issue 12: clients and brokers authenticate over TLS, the quorum speaks TLS
        assert env["KAFKA_ADVERTISED_LISTENERS"] == f"SASL_SSL://{name}:9092"
        assert env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"] == "SASL_SSL:SASL_SSL,CONTROLLER:SSL"
        assert "PLAINTEXT" not in env["KAFKA_LISTENERS"]
        assert "healthcheck" in broker and broker["volumes"], name
        node_ids.add(env["KAFKA_NODE_ID"])
        voters.add(env["KAFKA_CONTROLLER_QUORUM_VOTERS"])
        cluster_ids.add(env["CLUSTER_ID"])
    assert node_ids == {"1", "2", "3"}
    assert len(voters) == 1 and len(cluster_ids) == 1
    assert voters.pop() == "1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093"
    for process in app_processes():
        if process == "worker":  # no Kafka client at all
            assert compose_env(process)["ZC_KAFKA_BOOTSTRAP"] == ""
            continue
        assert compose_env(process)["ZC_KAFKA_BOOTSTRAP"].split(",") == [f"{b}:9092" for b in sorted(brokers)]
        # the services create their topics themselves: replicated like the cluster's own topics
        assert compose_env(process)["ZC_KAFKA_REPLICATION"] == "3"


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


def test_compose_data_directories_are_volumes() -> None:
    services = compose_services()
    for service, (variable, path) in DATA_DIRS.items():
        assert compose_env(service)[variable] == path
        mounts = [str(v).split(":")[-1] for v in services[service].get("volumes", [])]
        assert path in mounts, f"{service} writes {path}, which must be a volume"
    # Attachments are shared by the replicas, so they are a named volume.
    assert "application-attachments" in compose()["volumes"]
