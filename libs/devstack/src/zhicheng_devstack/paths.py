"""Where the local stack keeps its state: ``.data/`` at the workspace root (or ``$ZC_DATA_DIR``)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path


def _is_workspace_root(directory: Path) -> bool:
    pyproject = directory / "pyproject.toml"
    if not pyproject.is_file():
        return False
    try:
        data = tomllib.loads(pyproject.read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return "workspace" in data.get("tool", {}).get("uv", {})


def find_workspace_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` (default: cwd, then this package) with a uv workspace."""
    starts = [start] if start is not None else [Path.cwd(), Path(__file__).resolve().parent]
    for origin in starts:
        for directory in [origin.resolve(), *origin.resolve().parents]:
            if _is_workspace_root(directory):
                return directory
    raise RuntimeError(
        "cannot find the workspace root (a pyproject.toml with [tool.uv.workspace]); "
        "run from inside the repository or set ZC_DATA_DIR"
    )


@dataclass(frozen=True)
class StackPaths:
    data: Path

    @classmethod
    def locate(cls) -> StackPaths:
        override = os.environ.get("ZC_DATA_DIR")
        if override:
            return cls(Path(override).absolute())
        return cls(find_workspace_root() / ".data")

    @property
    def run(self) -> Path:
        return self.data / "run"

    @property
    def logs(self) -> Path:
        return self.data / "logs"

    @property
    def pg(self) -> Path:
        return self.data / "pg"

    @property
    def temporal_db(self) -> Path:
        return self.data / "temporal.db"

    @property
    def secrets_file(self) -> Path:
        return self.data / "secrets.json"

    @property
    def secrets_dir(self) -> Path:
        return self.data / "secrets"

    @property
    def endpoints_file(self) -> Path:
        return self.data / "endpoints.json"

    @property
    def credentials_file(self) -> Path:
        return self.data / "dev-credentials.json"

    @property
    def ports_file(self) -> Path:
        return self.run / "ports.json"

    @property
    def lock_file(self) -> Path:
        return self.run / "stack.lock"
