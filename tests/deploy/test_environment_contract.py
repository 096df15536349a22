"""Every process gets the settings of its contract, in compose and in Kubernetes, and secrets are
never written into the repository: they are required interpolations, Secrets or placeholders."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from tests.deploy.stack_files import (
    API_SERVICES,
    COMPOSE_FILE,
    DATABASE_URL,
    DEPLOY,
    HTTP_PORT,
    INTERPOLATION,
    README,
    REQUIRED_INTERPOLATION,
    SECRET_ENV_NAME,
    SECRETS_EXAMPLE,
    URL_ENV,
    WORKER,
    app_processes,
    compose,
    compose_env,
    compose_services,
    k8s_container_env,
    k8s_objects,
    kustomization,
    required_env,
    secrets_example,
)


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
    (mount,) = [m for m in compose_services()["org-service"]["secrets"] if m["source"] == "zc_jwt_private_key"]
    secret = secrets[mount["source"]]
    assert REQUIRED_INTERPOLATION.fullmatch(secret["file"])
    target = mount.get("target", mount["source"])
    assert compose_env("org-service")["ZC_JWT_PRIVATE_KEY_FILE"] == f"/run/secrets/{target}"
    for name, service in compose_services().items():
        if name != "org-service":
            mounted = {m["source"] for m in service.get("secrets", [])}
            assert mount["source"] not in mounted, f"{name} must not see the signing key"


def test_compose_province_assertion_key_is_a_file_secret_of_application_service_only() -> None:
    """POL-FI-1: the city's key signing its assertions to the province is the operator's file."""
    secrets = compose()["secrets"]
    (mount,) = [
        m for m in compose_services()["application-service"]["secrets"] if m["source"] == "zc_province_assertion_key"
    ]
    assert REQUIRED_INTERPOLATION.fullmatch(secrets[mount["source"]]["file"])
    target = mount.get("target", mount["source"])
    assert compose_env("application-service")["ZC_PROVINCE_ASSERTION_KEY_FILE"] == f"/run/secrets/{target}"
    holders = [
        name for name, s in compose_services().items() if mount["source"] in {m["source"] for m in s.get("secrets", [])}
    ]
    assert holders == ["application-service"]


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
