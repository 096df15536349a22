"""Benchmark of plagiarism-service's checker (issue 5): quality on a generated set, speed at scale.

``run(out_dir, quick)`` returns the figures as a JSON-serialisable dict and writes the latency plot
(``plagiarism-latency.svg``) into ``out_dir``.  The PAN-style files of the quality set (texts,
ground-truth XML, detection XML) are generated text, so they are written only where ``pan_dir`` says
(never into the repository by default).  Standalone::

    uv run python -m zhicheng_tooling.plagiarism_evaluation.bench [--quick] [--out DIR] [--pan DIR]

Quality: the generated set of :mod:`.generator` (chinese-poetry text from npm), checked against a
:class:`DiskIndex` — PAN plagdet, mean absolute ratio error, decision confusion near 15 % and 25 %.

Speed: synthetic documents of about 5,000 characters made of 2–4-character fragments of the same
text (real character and word frequencies; 13-character coincidences as rare as in real papers),
ingested in bulk batches of 1,000 documents into a DiskIndex grown to 1k, 10k and 100k documents
(quick: 1k and 3k); at each size the index is compacted and 20,000-character papers with copied
passages are checked (p50/p95/max).  At 1k documents every paper is also checked by brute force
(alignment against every document): the passages must be identical, and the speed-up is reported.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import shutil
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from plagiarism_service.adapters.disk_index import DiskIndex
from plagiarism_service.domain import CheckInput, CorpusDocument, brute_force_check, check

from .evaluate import evaluate, write_pan_files
from .generator import generate
from .source_text import SourceText, load_source_text

__all__ = ["run"]

DOC_CHARS = 5000
PAPER_CHARS = 20_000
BATCH_DOCS = 1000


def _rss() -> dict[str, int]:
    """Resident memory of this process in bytes: anonymous (heap) and file-backed (mmapped keys)."""
    values: dict[str, int] = {}
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "RssAnon", "RssFile"):
                    values[key] = int(rest.split()[0]) * 1024
    except OSError:
        pass
    return values


class SyntheticText:
    """Documents of fragments (2–4 letters) of the source lines, punctuated like prose."""

    def __init__(self, source: SourceText, seed: int) -> None:
        rng = random.Random(seed)
        vocabulary: list[str] = []
        for line in source.lines:
            letters = "".join(ch for ch in line if ch.isalnum())
            i = 0
            while i < len(letters):
                n = rng.randint(2, 4)
                vocabulary.append(letters[i : i + n])
                i += n
        vocabulary.extend(["，"] * (len(vocabulary) // 6) + ["。"] * (len(vocabulary) // 14))
        self.vocabulary = vocabulary
        self.rng = rng

    def text(self, chars: int) -> str:
        return "".join(self.rng.choices(self.vocabulary, k=max(1, chars * 10 // 24)))

    def documents(self, first: int, count: int) -> Iterator[CorpusDocument]:
        rng = self.rng
        for no in range(first, first + count):
            yield CorpusDocument(
                f"bench-{no:06d}",
                f"文献{no}",
                self.text(rng.randint(DOC_CHARS // 2, DOC_CHARS * 3 // 2)),
                (f"作者{no % 9973}",),
                None,
            )


def _paper(synthetic: SyntheticText, sources: list[CorpusDocument], rng: random.Random) -> CheckInput:
    """A 20,000-character paper: own text with 8 copied passages of 100–400 characters."""
    parts: list[str] = []
    for doc in rng.sample(sources, min(8, len(sources))):
        parts.append(synthetic.text(PAPER_CHARS // 10))
        n = rng.randint(100, 400)
        start = rng.randrange(0, max(1, len(doc.text) - n))
        parts.append(doc.text[start : start + n])
    parts.append(synthetic.text(max(0, PAPER_CHARS - sum(len(p) for p in parts))))
    return CheckInput("".join(parts)[:PAPER_CHARS], "送审论文", ("申报人",), "core", None)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def _quality(source: SourceText, pan_dir: Path | None, work: Path, quick: bool) -> dict[str, Any]:
    started = time.perf_counter()
    evaluation = generate(source, n_docs=300 if quick else 1000, n_papers=60 if quick else 240)
    with DiskIndex(work / "quality-index") as index:
        index.add_many(evaluation.corpus)
        figures, results = evaluate(evaluation, index)
    if pan_dir is not None:
        write_pan_files(evaluation, results, pan_dir)
        figures["pan_files"] = str(pan_dir)
    figures["seconds"] = round(time.perf_counter() - started, 1)
    return figures


def _speed(source: SourceText, out_dir: Path, work: Path, quick: bool) -> dict[str, Any]:
    sizes = [1000, 3000] if quick else [1000, 10_000, 100_000]
    queries = 6 if quick else 20
    brute_queries = 3 if quick else 5
    synthetic = SyntheticText(source, seed=99)
    rng = random.Random(5)
    directory = work / "speed-index"
    index = DiskIndex(directory)
    sample: list[CorpusDocument] = []  # reservoir of ingested documents to copy from
    seen = 0
    ingest_seconds = 0.0
    ingested_chars = 0
    stages: list[dict[str, Any]] = []
    comparison: dict[str, Any] = {}
    try:
        for size in sizes:
            while len(index) < size:
                batch = list(synthetic.documents(len(index), min(BATCH_DOCS, size - len(index))))
                for doc in batch:
                    seen += 1
                    if len(sample) < 400:
                        sample.append(doc)
                    elif rng.random() < 400 / seen:
                        sample[rng.randrange(400)] = doc
                t0 = time.perf_counter()
                ingested_chars += index.add_many(batch)
                ingest_seconds += time.perf_counter() - t0
                del batch
            t0 = time.perf_counter()
            index.compact()
            compact_seconds = time.perf_counter() - t0
            index.close()
            gc.collect()
            before = _rss()
            tracemalloc.start()
            t0 = time.perf_counter()
            index = DiskIndex(directory)  # reopened: what a restarted service does
            open_seconds = time.perf_counter() - t0
            heap = tracemalloc.get_traced_memory()[0]
            tracemalloc.stop()
            papers = [_paper(synthetic, sample, rng) for _ in range(queries)]
            check(papers[0], index)  # warm-up: page cache, normalisation caches
            latencies = []
            results = []
            for paper in papers:
                t0 = time.perf_counter()
                results.append(check(paper, index))
                latencies.append(time.perf_counter() - t0)
            after = _rss()
            chars = index.chars
            disk = index.disk_bytes()
            stage = {
                "documents": len(index),
                "chars": chars,
                "fingerprint_keys": index.key_count,
                "compact_seconds": round(compact_seconds, 2),
                "open_seconds_traced": round(open_seconds, 2),
                "check_p50_ms": round(statistics.median(latencies) * 1000, 1),
                "check_p95_ms": round(_percentile(latencies, 0.95) * 1000, 1),
                "check_max_ms": round(max(latencies) * 1000, 1),
                "checks": len(latencies),
                "mean_copy_ratio_found": round(statistics.fmean(r.total_copy_ratio for r in results), 4),
                "disk_bytes": disk,
                "disk_bytes_per_million_chars": {k: round(v / chars * 1e6) for k, v in disk.items()},
                "memory_heap_bytes": heap,
                "memory_heap_bytes_per_million_chars": round(heap / chars * 1e6),
                "memory_mapped_resident_bytes_after_checks": after.get("RssFile", 0) - before.get("RssFile", 0),
            }
            stages.append(stage)
            print(f"plagiarism bench: {json.dumps(stage)}", flush=True)
            if size == sizes[0]:
                comparison = _brute_force_comparison(index, papers[:brute_queries], latencies[:brute_queries])
    finally:
        index.close()
        shutil.rmtree(directory, ignore_errors=True)
    _plot(stages, out_dir / "plagiarism-latency.svg")
    return {
        "document_chars_mean": DOC_CHARS,
        "paper_chars": PAPER_CHARS,
        "ingestion_chars": ingested_chars,
        "ingestion_seconds": round(ingest_seconds, 1),
        "ingestion_chars_per_second": round(ingested_chars / ingest_seconds),
        "stages": stages,
        "brute_force_comparison_1k": comparison,
        "latency_plot": "plagiarism-latency.svg",
    }


def _brute_force_comparison(index: DiskIndex, papers: list[CheckInput], indexed: list[float]) -> dict[str, Any]:
    documents = list(index.documents())
    identical = 0
    brute_seconds = []
    for paper in papers:
        t0 = time.perf_counter()
        brute = brute_force_check(paper, documents, k=index.k)
        brute_seconds.append(time.perf_counter() - t0)
        identical += int(brute == check(paper, index))
    return {
        "documents": len(documents),
        "checks": len(papers),
        "identical_results": identical,
        "brute_force_mean_ms": round(statistics.fmean(brute_seconds) * 1000, 1),
        "indexed_mean_ms": round(statistics.fmean(indexed) * 1000, 1),
        "speed_up": round(statistics.fmean(brute_seconds) / statistics.fmean(indexed), 1),
    }


def _plot(stages: list[dict[str, Any]], path: Path) -> None:
    """Check latency (p50, p95) against corpus size, log-scaled documents axis; plain SVG."""
    if not stages:
        return
    w, h, left, bottom, top, right = 560, 340, 70, 50, 30, 20
    xs = [math.log10(s["documents"]) for s in stages]
    x0, x1 = min(xs) - 0.2, max(xs) + 0.2
    y_max = max(max(s["check_p95_ms"] for s in stages), 1000) * 1.1

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * (w - left - right)

    def py(y: float) -> float:
        return float(h - bottom - y / y_max * (h - bottom - top))

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
        f'<rect width="{w}" height="{h}" fill="white"/>',
        f'<text x="{w / 2}" y="18" text-anchor="middle">20,000-character check latency vs corpus size</text>',
        f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="black"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}" stroke="black"/>',
        f'<text x="{w / 2}" y="{h - 10}" text-anchor="middle">corpus documents (log scale)</text>',
        f'<text x="15" y="{h / 2}" transform="rotate(-90 15 {h / 2})" text-anchor="middle">ms</text>',
        f'<line x1="{left}" y1="{py(1000):.1f}" x2="{w - right}" y2="{py(1000):.1f}" stroke="red" '
        'stroke-dasharray="4 3"/>',
        f'<text x="{w - right - 4}" y="{py(1000) - 4:.1f}" text-anchor="end" fill="red">target p95 1 s</text>',
    ]
    for i in range(6):
        y = y_max * i / 5
        out.append(f'<text x="{left - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:.0f}</text>')
    for s, x in zip(stages, xs, strict=True):
        out.append(f'<text x="{px(x):.1f}" y="{h - bottom + 16}" text-anchor="middle">{s["documents"]:,}</text>')
    for key, colour in (("check_p50_ms", "#1f77b4"), ("check_p95_ms", "#ff7f0e")):
        points = " ".join(f"{px(x):.1f},{py(s[key]):.1f}" for s, x in zip(stages, xs, strict=True))
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for s, x in zip(stages, xs, strict=True):
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(s[key]):.1f}" r="3" fill="{colour}"/>')
    out.append(f'<text x="{left + 10}" y="{top + 14}" fill="#1f77b4">p50</text>')
    out.append(f'<text x="{left + 50}" y="{top + 14}" fill="#ff7f0e">p95</text>')
    out.append("</svg>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def run(out_dir: Path, quick: bool = False, pan_dir: Path | None = None) -> dict[str, Any]:
    """Quality and speed figures of the plagiarism checker (see the module docstring)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    source = load_source_text(max_files=40 if quick else 120)
    with tempfile.TemporaryDirectory(prefix="zc-plagiarism-bench-") as tmp:
        work = Path(tmp)
        quality = _quality(source, pan_dir, work, quick)
        print(f"plagiarism bench: quality {json.dumps(quality, ensure_ascii=False)}", flush=True)
        speed = _speed(source, out_dir, work, quick)
    targets = _targets(quality, speed)
    return {"text_source": source.origin, "quick": quick, "quality": quality, "speed": speed, "targets": targets}


def _targets(quality: dict[str, Any], speed: dict[str, Any]) -> dict[str, Any]:
    largest = speed["stages"][-1] if speed["stages"] else {}
    comparison = speed.get("brute_force_comparison_1k") or {}
    return {
        "plagdet_at_least_0.95": quality["plagdet"] >= 0.95,
        "mean_ratio_error_at_most_1_point": quality["ratio_error_excluding_own_mean_points"] <= 1.0,
        "no_wrong_decision_beyond_1_point": quality["wrong_decisions_more_than_1_point_from_threshold"] == 0,
        "p95_at_most_1s_at_largest_corpus": largest.get("check_p95_ms", math.inf) <= 1000,
        "largest_corpus_documents": largest.get("documents"),
        "largest_corpus_reaches_100k_documents": (largest.get("documents") or 0) >= 100_000,
        "ingestion_at_least_1M_chars_per_second": speed["ingestion_chars_per_second"] >= 1_000_000,
        "brute_force_identical": comparison.get("identical_results") == comparison.get("checks"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for development")
    parser.add_argument("--out", type=Path, default=Path("bench"), help="directory for the plot and PAN files")
    parser.add_argument("--pan", type=Path, default=None, help="keep the PAN texts and XML files here")
    args = parser.parse_args()
    figures = run(args.out, quick=args.quick, pan_dir=args.pan)
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
