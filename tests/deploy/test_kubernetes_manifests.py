"""deploy/k8s: the manifests kustomize applies reference only objects that exist, every process
runs replicated, probed, bounded and as non-root on a read-only root filesystem."""

from __future__ import annotations

import yaml

from tests.deploy.stack_files import (
    API_SERVICES,
    DATA_DIRS,
    GATEWAY,
    HTTP_PORT,
    K8S,
    SECRETS_EXAMPLE,
    WORKER,
    app_processes,
    command_module,
    containers,
    deployments_selected_by,
    k8s_container_env,
    k8s_objects,
    kustomization,
    module_of,
    pod_labels,
    selects,
)


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
        # readiness reads the database (/health); liveness does no I/O (/livez), so a database outage
        # takes pods out of the Service without restarting every one of them
        expected = {"readinessProbe": "/health", "livenessProbe": "/livez"}
        for probe in ("readinessProbe", "livenessProbe"):
            get = container[probe]["httpGet"]
            path = "/healthz" if name == GATEWAY else expected[probe]
            assert get["path"] == path and get["port"] in port_names, f"{name}.{probe}"
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


def test_k8s_services_create_their_topics_replicated_like_the_cluster() -> None:
    """The services create their own topics (kafka.ensure_topics): with replication 3, as the brokers'."""
    config = {name: cm.get("data", {}) for name, cm in k8s_objects("ConfigMap").items()}
    assert any(data.get("ZC_KAFKA_REPLICATION") == "3" for data in config.values()), config.keys()


def test_k8s_gateway_is_the_only_externally_exposed_service() -> None:
    for name, svc in k8s_objects("Service").items():
        external = svc["spec"].get("type", "ClusterIP") in {"LoadBalancer", "NodePort"}
        assert external == (name == GATEWAY), name
    assert not k8s_objects("Ingress")


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
