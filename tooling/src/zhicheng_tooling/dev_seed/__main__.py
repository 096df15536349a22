"""`python -m zhicheng_tooling.dev_seed [ENDPOINTS_JSON CREDENTIALS_JSON]`: load the development seed
into the stack `make run` started (its `.data/endpoints.json` and `.data/dev-credentials.json` by
default), as the city office's business administrator. Only empty registries and an empty corpus get it."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import httpx
from zhicheng_devstack.paths import StackPaths

from .loader import SeedError, seed_services


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    paths = StackPaths.locate()
    endpoints_file, credentials_file = (
        (Path(args[0]), Path(args[1])) if args else (paths.endpoints_file, paths.credentials_file)
    )
    try:
        endpoints = json.loads(endpoints_file.read_text())
        credentials = json.loads(credentials_file.read_text())
    except (OSError, ValueError) as exc:
        print(f"development seed: cannot read the running stack's files ({exc}); run `make run` first", file=sys.stderr)
        return 1
    try:
        operator = credentials["city_title_office"]["business_admin"]
        seeded = asyncio.run(seed_services(endpoints, operator["username"], operator["password"]))
    except (SeedError, httpx.HTTPError, KeyError) as exc:
        print(f"development seed: not loaded: {exc}", file=sys.stderr)
        return 1
    loaded = [f"{name} ({count})" for name, count in seeded.registries.items()]
    if seeded.corpus:
        loaded.append(f"corpus ({seeded.corpus} documents)")
    if seeded.schedule_year is not None:
        loaded.append(f"the {seeded.schedule_year} push schedule (from 2021's months)")
    print("development seed: " + (", ".join(loaded) + " loaded" if loaded else "already there, nothing loaded"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
