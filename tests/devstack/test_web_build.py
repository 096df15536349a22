"""Building the web application runs npm ci and npm run build only when their inputs changed, with the
machine's real npm, on a small package of its own (no dependency, so no registry is needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from zhicheng_devstack.web_build import BUILD_STAMP, INSTALL_STAMP, WebBuildError, ensure_built

BUILD_SCRIPT = """
import fs from "node:fs";
fs.mkdirSync("dist", { recursive: true });
fs.writeFileSync("dist/index.html", "<!doctype html>");
fs.appendFileSync("builds.log", `${process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD} ${process.env.npm_config_audit}\\n`);
"""


def _web(root: Path) -> Path:
    web = root / "web"
    (web / "src" / "api" / "generated").mkdir(parents=True)
    (web / "scripts").mkdir()
    package = {
        "name": "zc-web-build-test",
        "version": "1.0.0",
        "private": True,
        "scripts": {"build": "node scripts/build.mjs"},
    }
    (web / "package.json").write_text(json.dumps(package))
    lock = {
        "name": "zc-web-build-test",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {"": {"name": "zc-web-build-test", "version": "1.0.0"}},
    }
    (web / "package-lock.json").write_text(json.dumps(lock))
    (web / "scripts" / "build.mjs").write_text(BUILD_SCRIPT)
    (web / "src" / "main.ts").write_text("export {};\n")
    (web / "index.html").write_text("<div id=app></div>")
    return web


def _builds(web: Path) -> list[str]:
    log = web / "builds.log"
    return log.read_text().splitlines() if log.exists() else []


def test_install_and_build_run_only_when_their_inputs_change(tmp_path: Path) -> None:
    web = _web(tmp_path)
    dist = ensure_built(web, log=tmp_path / "build.log")
    assert dist == web / "dist" and (dist / "index.html").is_file()
    assert (web / "node_modules" / INSTALL_STAMP).is_file() and (dist / BUILD_STAMP).is_file()
    assert _builds(web) == ["1 false"]  # no browser download, no audit

    ensure_built(web)
    assert len(_builds(web)) == 1, "nothing changed: no build"

    (web / "src" / "api" / "generated" / "org-service.ts").write_text("// generated\n")
    ensure_built(web)
    assert len(_builds(web)) == 1, "the build's own output is not an input"

    (web / "src" / "main.ts").write_text("export const x = 1;\n")
    ensure_built(web)
    assert len(_builds(web)) == 2, "a changed source builds again"

    (dist / "index.html").unlink()
    ensure_built(web)
    assert len(_builds(web)) == 3, "a missing dist/index.html builds again"

    stamp = web / "node_modules" / INSTALL_STAMP
    before = stamp.read_text()
    lock = json.loads((web / "package-lock.json").read_text())
    lock["packages"][""]["license"] = "MIT"
    (web / "package-lock.json").write_text(json.dumps(lock))
    ensure_built(web)
    assert stamp.read_text() != before, "a changed lock file installs again"
    assert len(_builds(web)) == 4


def test_a_failing_build_says_why(tmp_path: Path) -> None:
    web = _web(tmp_path)
    (web / "scripts" / "build.mjs").write_text("console.error('类型检查失败'); process.exit(3);\n")
    with pytest.raises(WebBuildError, match=r"(?s)npm run build.*exit code 3.*类型检查失败"):
        ensure_built(web)


def test_without_node_the_error_names_make_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(WebBuildError, match=r"node and npm not found on PATH.*make install"):
        ensure_built(_web(tmp_path))
