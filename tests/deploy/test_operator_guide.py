"""deploy/README.md explains how to run, configure and scale the production stack."""

from __future__ import annotations

from tests.deploy.stack_files import README


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
