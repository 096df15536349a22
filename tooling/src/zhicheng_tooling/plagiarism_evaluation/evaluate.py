"""Quality of the checker on a generated set: PAN plagdet, ratio error, POL-PA-4 decision confusion."""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from plagiarism_service.domain import CheckResult, SearchableIndex, check

from .generator import COUNTED, EvaluationSet, SuspiciousPaper
from .pan import Feature, features_from_xml, features_to_xml, plagdet

__all__ = ["detections_of", "evaluate", "ground_truth_of", "write_pan_files"]

NEAR_POINTS = 1.0  # a wrong decision is tolerated only within this many points of the threshold


def ground_truth_of(paper: SuspiciousPaper) -> list[Feature]:
    return [
        Feature(
            paper.name,
            c.this_offset,
            c.this_length,
            c.source_reference,
            c.source_offset,
            c.source_length,
            name="plagiarism" if c.counted else "excluded-copy",
            obfuscation=c.obfuscation,
        )
        for c in paper.cases
    ]


def detections_of(paper: SuspiciousPaper, result: CheckResult) -> list[Feature]:
    """The counted passages (not quoted, not own) as PAN detections."""
    return [
        Feature(
            paper.name,
            p.start,
            p.end - p.start,
            p.source_external_id,
            p.source_start,
            p.source_end - p.source_start,
            name="detected-plagiarism",
        )
        for p in result.passages
        if not p.quoted and not p.own
    ]


def write_pan_files(evaluation: EvaluationSet, results: dict[str, CheckResult], out_dir: Path) -> None:
    """PAN-style directory: texts, ground-truth XML and detection XML of every paper."""
    (out_dir / "susp").mkdir(parents=True, exist_ok=True)
    (out_dir / "detections").mkdir(parents=True, exist_ok=True)
    for paper in evaluation.papers:
        (out_dir / "susp" / f"{paper.name}.txt").write_text(paper.text, encoding="utf-8")
        (out_dir / "susp" / f"{paper.name}.xml").write_text(
            features_to_xml(paper.name, ground_truth_of(paper)), encoding="utf-8"
        )
        if paper.name in results:
            (out_dir / "detections" / f"{paper.name}.xml").write_text(
                features_to_xml(paper.name, detections_of(paper, results[paper.name])), encoding="utf-8"
            )


def evaluate(evaluation: EvaluationSet, index: SearchableIndex) -> tuple[dict[str, Any], dict[str, CheckResult]]:
    """Check every paper against ``index`` and score the outcome."""
    cases: list[Feature] = []
    detections: list[Feature] = []
    errors: list[float] = []
    total_errors: list[float] = []
    wrong_far: list[str] = []
    wrong_near = 0
    decided = Counter[str]()
    results: dict[str, CheckResult] = {}
    per_kind_cases: dict[str, list[Feature]] = {k: [] for k in (*COUNTED, "cited")}
    for paper in evaluation.papers:
        result = check(paper.check_input(), index)
        results[paper.name] = result
        # the ground truth goes through its XML form, as PAN's evaluator reads it
        truth = features_from_xml(features_to_xml(paper.name, ground_truth_of(paper)))
        cases.extend(truth)
        for f in truth:
            per_kind_cases[f.obfuscation].append(f)
        detections.extend(detections_of(paper, result))
        errors.append(abs(result.copy_ratio_excluding_own - paper.true_ratio) * 100)
        total_errors.append(abs(result.total_copy_ratio - paper.true_total_ratio) * 100)
        # POL-PA-4 as application-service decides it on the default ratio (excluding own publications)
        truth_fails = paper.true_ratio * 100 > round(paper.threshold * 100)
        said_fails = result.copy_ratio_excluding_own * 100 > round(paper.threshold * 100)
        decided[f"{'fail' if truth_fails else 'pass'}->{'fail' if said_fails else 'pass'}"] += 1
        if truth_fails != said_fails:
            if abs(paper.true_ratio - paper.threshold) * 100 > NEAR_POINTS:
                wrong_far.append(paper.name)
            else:
                wrong_near += 1
    scores = plagdet(cases, detections)
    per_kind = {}
    for kind, kind_cases in per_kind_cases.items():
        docs = {c.document for c in kind_cases}
        kind_scores = plagdet(kind_cases, [d for d in detections if d.document in docs])
        per_kind[kind] = {"cases": len(kind_cases), "recall": round(kind_scores.recall, 4)}
    near = sum(1 for p in evaluation.papers if abs(p.true_ratio - p.threshold) * 100 <= 3)
    figures = {
        "text_source": evaluation.origin,
        "corpus_documents": len(evaluation.corpus),
        "corpus_chars": sum(len(d.text) for d in evaluation.corpus),
        "papers": len(evaluation.papers),
        "papers_within_3_points_of_threshold": near,
        "cases_counted": scores.cases,
        "cases_excluded": sum(1 for p in evaluation.papers for c in p.cases if not c.counted),
        "detections": scores.detections,
        "precision": round(scores.precision, 4),
        "recall": round(scores.recall, 4),
        "granularity": round(scores.granularity, 4),
        "plagdet": round(scores.plagdet, 4),
        "recall_by_obfuscation": per_kind,
        "ratio_error_excluding_own_mean_points": round(statistics.fmean(errors), 3),
        "ratio_error_excluding_own_max_points": round(max(errors), 3),
        "ratio_error_total_mean_points": round(statistics.fmean(total_errors), 3),
        "decisions": dict(sorted(decided.items())),
        "wrong_decisions_more_than_1_point_from_threshold": len(wrong_far),
        "wrong_decisions_within_1_point": wrong_near,
        "wrong_far_papers": wrong_far[:10],
    }
    return figures, results
