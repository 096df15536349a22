"""The evaluation kit of issue 5: PAN's measures, the generator's ground truth, the bench's shape."""

from __future__ import annotations

import math
from pathlib import Path

from plagiarism_service.adapters.disk_index import DiskIndex
from plagiarism_service.domain import normalise_text
from zhicheng_tooling.plagiarism_evaluation.evaluate import evaluate, ground_truth_of
from zhicheng_tooling.plagiarism_evaluation.generator import COUNTED, generate
from zhicheng_tooling.plagiarism_evaluation.pan import Feature, features_from_xml, features_to_xml, plagdet
from zhicheng_tooling.plagiarism_evaluation.source_text import SourceText, fallback_lines


def _f(this: tuple[int, int], src: tuple[int, int], doc: str = "s1", ref: str = "src1") -> Feature:
    return Feature(doc, this[0], this[1] - this[0], ref, src[0], src[1] - src[0])


def test_plagdet_of_a_perfect_detection_is_one() -> None:
    cases = [_f((0, 100), (10, 110)), _f((200, 260), (0, 60), ref="src2")]
    scores = plagdet(cases, cases)
    assert (scores.precision, scores.recall, scores.granularity, scores.plagdet) == (1.0, 1.0, 1.0, 1.0)


def test_plagdet_counts_characters_granularity_and_requires_the_same_source() -> None:
    case = _f((0, 100), (0, 100))
    halves = [_f((0, 50), (0, 50)), _f((50, 100), (50, 100))]
    split = plagdet([case], halves)
    assert split.recall == 1.0 and split.precision == 1.0 and split.granularity == 2.0
    assert math.isclose(split.plagdet, 1 / math.log2(3))
    wrong_source = plagdet([case], [_f((0, 100), (0, 100), ref="other")])
    assert wrong_source.recall == 0.0 and wrong_source.precision == 0.0
    too_long = plagdet([case], [_f((0, 200), (0, 100))])
    assert too_long.recall == 1.0 and too_long.precision == 0.5


def test_pan_xml_round_trip() -> None:
    features = [_f((5, 105), (10, 108)), Feature("s1", 1, 2, "src3", 3, 4, name="excluded-copy", obfuscation="own")]
    xml = features_to_xml("s1", features)
    assert 'source_reference="src1.txt"' in xml
    assert features_from_xml(xml, name=None) == [
        Feature("s1", 5, 100, "src1", 10, 98),
        Feature("s1", 1, 2, "src3", 3, 4, name="excluded-copy", obfuscation="own"),
    ]


def test_generated_cases_point_at_their_source_text_and_the_checker_scores_well(tmp_path: Path) -> None:
    source = SourceText("fallback (test)", fallback_lines(30_000))
    evaluation = generate(source, n_docs=60, doc_chars=2000, n_papers=9, paper_chars=(2000, 3000), seed=3)
    docs = {d.external_id: d for d in evaluation.corpus}
    kinds = set()
    for paper in evaluation.papers:
        assert 0 <= paper.true_ratio <= paper.true_total_ratio <= 1
        for case in paper.cases:
            kinds.add(case.obfuscation)
            shown = paper.text[case.this_offset : case.this_offset + case.this_length]
            original = docs[case.source_reference].text[case.source_offset : case.source_offset + case.source_length]
            if case.obfuscation in ("verbatim", "own", "later", "short"):
                assert shown == original
            if case.obfuscation in ("punctuation", "full-width"):
                assert normalise_text(shown) == normalise_text(original)
        assert {f.name for f in ground_truth_of(paper)} <= {"plagiarism", "excluded-copy"}
    assert set(COUNTED) <= kinds
    with DiskIndex(tmp_path / "idx") as index:
        index.add_many(evaluation.corpus)
        figures, _ = evaluate(evaluation, index)
    assert figures["plagdet"] >= 0.95
    assert figures["ratio_error_excluding_own_mean_points"] <= 1.0
    assert figures["wrong_decisions_more_than_1_point_from_threshold"] == 0
