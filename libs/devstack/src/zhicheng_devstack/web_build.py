"""Building the web application (web/) with the machine's Node.js and npm, only when something changed.

- `npm ci` when web/node_modules is missing or package.json / package-lock.json differ from what the
  last install recorded (node_modules/.zc-install-stamp, a content hash).
- `npm run build` (the typed client from web/openapi, vue-tsc, vite, the size budget) when the sources
  differ from what the last build recorded (dist/.zc-build-stamp, a content hash of web/src, web/openapi,
  index.html, the package and build files) or dist/index.html is missing.

One build at a time per checkout (a lock on the web directory): `make run` and a test session may ask
together. npm gets no audit, no funding notice, and no browser download by any package's install script.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from zhicheng_devstack.paths import find_workspace_root

INSTALL_STAMP = ".zc-install-stamp"  # in node_modules/
BUILD_STAMP = ".zc-build-stamp"  # in dist/
# What a build reads (relative to web/); src/api/generated is the build's own output (from openapi/).
BUILD_INPUTS = (
    "src",
    "openapi",
    "public",
    "scripts",
    "index.html",
    "env.d.ts",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
    "tsconfig.app.json",
    "tsconfig.node.json",
)
GENERATED = ("src/api/generated",)
INSTALL_INPUTS = ("package.json", "package-lock.json")
INSTALL_TIMEOUT_SECONDS = 900
BUILD_TIMEOUT_SECONDS = 600
NPM_ENV = {
    "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
    "npm_config_audit": "false",
    "npm_config_fund": "false",
    "npm_config_update_notifier": "false",
    "npm_config_progress": "false",
}


class WebBuildError(RuntimeError):
    """The web application could not be installed or built; the message says why and what to do."""


def web_dir(root: Path | None = None) -> Path:
    return (root or find_workspace_root()) / "web"


def _digest(web: Path, entries: tuple[str, ...], skip: tuple[str, ...] = ()) -> str:
    """A content hash of the files under `entries` (relative to `web`), their names included."""
    digest = hashlib.sha256()
    skipped = [web / s for s in skip]
    for entry in entries:
        top = web / entry
        files = sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else [top] if top.is_file() else []
        for path in files:
            if any(path.is_relative_to(s) for s in skipped):
                continue
            digest.update(str(path.relative_to(web)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _stamp(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


@contextmanager
def _locked(web: Path) -> Iterator[None]:
    descriptor = os.open(web, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _tools() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        missing = " and ".join(name for name, found in (("node", node), ("npm", npm)) if found is None)
        raise WebBuildError(
            f"{missing} not found on PATH: the web application is built with the machine's Node.js (>= 20.19) "
            "and npm. Install them (Debian: `apt-get install nodejs npm`), then run `make install` again."
        )
    return node, npm


def _run(npm: str, args: list[str], web: Path, log: Path | None, timeout: int, environ: Mapping[str, str]) -> None:
    env = {**environ, **NPM_ENV}
    command = [npm, *args]
    try:
        if log is None:
            captured = subprocess.run(
                command, cwd=web, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                timeout=timeout, check=False,
            )  # fmt: skip
            returncode, output = captured.returncode, captured.stdout + captured.stderr
        else:
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("ab") as handle:
                start = handle.tell()
                handle.write(f"\n--- {' '.join(command)} (in {web})\n".encode())
                handle.flush()
                done = subprocess.run(
                    command, cwd=web, env=env, stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT,
                    timeout=timeout, check=False,
                )  # fmt: skip
            returncode = done.returncode
            with log.open("rb") as handle:
                handle.seek(start)
                output = handle.read().decode(errors="replace")
    except subprocess.TimeoutExpired:
        raise WebBuildError(f"`npm {' '.join(args)}` in {web} did not finish within {timeout} s") from None
    if returncode != 0:
        lines = [line for line in output.splitlines() if "EBADENGINE" not in line and line.strip()]
        tail = "\n".join(f"    {line}" for line in lines[-40:])
        where = f" (log: {log})" if log is not None else ""
        raise WebBuildError(f"`npm {' '.join(args)}` in {web} failed with exit code {returncode}{where}:\n{tail}")


def install(web: Path, log: Path | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """`npm ci` unless node_modules matches package.json and package-lock.json; True when it ran."""
    _, npm = _tools()
    stamp = web / "node_modules" / INSTALL_STAMP
    wanted = _digest(web, INSTALL_INPUTS)
    if _stamp(stamp) == wanted:
        return False
    _run(npm, ["ci"], web, log, INSTALL_TIMEOUT_SECONDS, os.environ if environ is None else environ)
    stamp.write_text(wanted + "\n")
    return True


def ensure_built(web: Path | None = None, log: Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """web/dist, installed and built if anything it is made of changed since the last build."""
    web = web or web_dir()
    if not (web / "package.json").is_file():
        raise WebBuildError(f"{web} has no package.json: not a checkout of the project's web application")
    with _locked(web):
        installed = install(web, log, environ)
        dist = web / "dist"
        stamp = dist / BUILD_STAMP
        wanted = _digest(web, BUILD_INPUTS, skip=GENERATED)
        if installed or _stamp(stamp) != wanted or not (dist / "index.html").is_file():
            _, npm = _tools()
            _run(npm, ["run", "build"], web, log, BUILD_TIMEOUT_SECONDS, os.environ if environ is None else environ)
            stamp.write_text(wanted + "\n")
        return dist


def main(argv: list[str] | None = None) -> int:
    """`python -m zhicheng_devstack.web_build install|build`: `npm ci` when needed (make install), or
    that and the build when needed."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if args not in (["install"], ["build"]):
        print("usage: python -m zhicheng_devstack.web_build install|build", file=sys.stderr)
        return 2
    web = web_dir()
    try:
        if args == ["install"]:
            ran = install(web)
            print(
                f"web: dependencies installed from {web / 'package-lock.json'}"
                if ran
                else "web: dependencies up to date"
            )
        else:
            print(f"web: built in {ensure_built(web)}")
    except WebBuildError as exc:
        print(f"web: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
