"""The provincial contract document: `python -m provincial_simulator.contract > docs/provincial/openapi.json`
(`make provincial-contract`); a test keeps the committed document equal to this output."""

from __future__ import annotations

import json
import sys
from typing import Any

from .app import create_app
from .settings import SimulatorSettings


def document() -> dict[str, Any]:
    """The simulator's OpenAPI document (built without starting it: no settings are read)."""
    return create_app(SimulatorSettings.model_construct()).openapi()


def rendered() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    sys.stdout.write(rendered())


if __name__ == "__main__":
    main()
