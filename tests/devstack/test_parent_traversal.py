"""Granting the unprivileged PostgreSQL user passage to a checkout under a private directory."""

from __future__ import annotations

import stat
from pathlib import Path

from zhicheng_devstack.servers import make_parents_traversable


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_parents_of_data_and_binaries_become_passable_but_not_listable(tmp_path: Path) -> None:
    private = tmp_path / "home"
    data = private / "zc" / ".data" / "pg"
    binaries = private / "zc" / ".venv" / "pginstall" / "bin"
    data.mkdir(parents=True)
    binaries.mkdir(parents=True)
    private.chmod(0o700)
    (private / "zc").chmod(0o700)
    changed = make_parents_traversable(data, binaries)
    assert private in changed and private / "zc" in changed
    for directory in (private, private / "zc"):
        assert _mode(directory) == 0o701, "search for others, no listing"
    assert make_parents_traversable(data, binaries) == [], "nothing left to change"
