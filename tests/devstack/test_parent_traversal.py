"""Granting the unprivileged PostgreSQL user passage to a checkout under a private directory."""

from __future__ import annotations

import stat
from pathlib import Path

from zhicheng_devstack.ports import Ports
from zhicheng_devstack.servers import Postgres, make_parents_traversable


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


def test_finding_28_the_harness_postgres_starts_under_a_private_directory(tmp_path: Path) -> None:
    """Finding 28: "`make test` fails with 1,585 errors when the checkout lies under a directory that only
    its owner can enter": the unprivileged PostgreSQL user must reach `initdb` and its data directory."""
    private = tmp_path / "private-home"
    private.mkdir()
    # the checkout under a 0700 directory: its PostgreSQL build (a link to this environment's) and its data
    (private / "pginstall").symlink_to(Postgres(tmp_path / "unused", 0).install_dir, target_is_directory=True)
    private.chmod(0o700)
    tmp_path.chmod(0o700)
    port = Ports.for_tests().pg + 77  # beside the harness's own server, inside this session's offset
    server = Postgres(private / ".data" / "pg", port, install_dir=private / "pginstall")
    try:
        server.start(timeout=90)
        server.create_database("zc_parent_traversal")
        assert server._psql("SELECT 1").strip() == "1"
    finally:
        server.stop()
    assert _mode(private) & stat.S_IXOTH and not _mode(private) & stat.S_IROTH, "search for others, no listing"
