"""The Dockerfile and its build context: a frozen, dev-free install on python:3.11-slim as a
non-root user, every production member and no tooling, no secrets or local state in the context."""

from __future__ import annotations

import re
import tomllib

from tests.deploy.stack_files import DEV_ONLY_MEMBERS, ROOT, workspace_members


def test_dockerfile_builds_with_frozen_uv_sync_on_python_311_slim_as_non_root() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", text, re.M))
    stages = [args.get(m.strip("${}"), m) for m in re.findall(r"^FROM (\S+)", text, re.M)]
    assert stages.count("python:3.11-slim") >= 2, "builder and runtime on python:3.11-slim"
    assert "uv sync --frozen --no-dev" in text
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and users[-1].split(":")[0] not in {"root", "0"}


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


def test_image_prepares_the_data_directories_for_its_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "chown -R 10001:10001 /var/lib/zhicheng" in dockerfile
