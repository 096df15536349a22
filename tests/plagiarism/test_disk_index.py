"""The persistent corpus index (issue 5): same passages as brute force, survives a reopen, grows."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from plagiarism_service.adapters.disk_index import DiskIndex
from plagiarism_service.domain import (
    CheckInput,
    CorpusDocument,
    brute_force_check,
    check,
    normalise,
    normalise_text,
    unit_kgram_hashes,
    winnowed_set,
)

CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
    "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当"
)


def _prose(rng: random.Random, n: int) -> str:
    out: list[str] = []
    while len(out) < n:
        out.extend(rng.choices(CHARS, k=rng.randint(8, 30)))
        out.append(rng.choice("，。"))
    return "".join(out)[:n]


def _corpus(rng: random.Random, n: int, prefix: str = "D") -> list[CorpusDocument]:
    return [
        CorpusDocument(
            f"{prefix}{i:03d}", f"题目{prefix}{i}", _prose(rng, rng.randint(300, 1200)), (f"作者{i}",), date(2018, 1, 1)
        )
        for i in range(n)
    ]


def _paper(rng: random.Random, docs: list[CorpusDocument]) -> CheckInput:
    parts = [_prose(rng, 150)]
    for _ in range(6):
        doc = rng.choice(docs)
        start = rng.randrange(0, len(doc.text) - 160)
        parts.append(doc.text[start : start + rng.randint(19, 150)])
        parts.append(_prose(rng, rng.randint(5, 80)))
    return CheckInput("".join(parts), "送审论文", ("申报人",), "core", date(2024, 1, 1))


def test_fast_normalisation_equals_the_offset_mapped_one() -> None:
    text = "「學術論文」，ＡＢＣ　１２３…㎏ test\u3000文本。"
    assert normalise_text(text) == normalise(text).text


def test_winnowed_set_guarantees_a_shared_fingerprint_for_13_common_chars() -> None:
    rng = random.Random(3)
    common = _prose(rng, 40).replace("，", "").replace("。", "")[:13]
    a = normalise_text(_prose(rng, 50)) + common + normalise_text(_prose(rng, 50))
    b = normalise_text(_prose(rng, 70)) + common
    assert winnowed_set(unit_kgram_hashes(a)) & set(unit_kgram_hashes(b))


def test_disk_index_finds_the_same_passages_as_brute_force_and_after_reopening(tmp_path: Path) -> None:
    rng = random.Random(11)
    docs = _corpus(rng, 40)
    papers = [_paper(rng, docs) for _ in range(4)]
    with DiskIndex(tmp_path / "idx") as index:
        index.add_many(docs[:15])
        index.add_many(docs[15:30])
        index.add_many(docs[30:])
        results = [check(p, index) for p in papers]
        for paper, result in zip(papers, results, strict=True):
            assert result == brute_force_check(paper, docs)
            assert result.passages
    with DiskIndex(tmp_path / "idx") as reopened:
        assert len(reopened) == 40
        assert [check(p, reopened) for p in papers] == results


def test_disk_index_remove_replace_and_compact(tmp_path: Path) -> None:
    rng = random.Random(5)
    docs = _corpus(rng, 20)
    paper = _paper(rng, docs)
    with DiskIndex(tmp_path / "idx") as index:
        index.add_many(docs)
        before = check(paper, index)
        used = {p.source_external_id for p in before.passages}
        gone = sorted(used)[0]
        assert index.remove(gone)
        assert not index.remove(gone)
        after = check(paper, index)
        assert gone not in {p.source_external_id for p in after.passages}
        assert after == brute_force_check(paper, [d for d in docs if d.external_id != gone])
        # replacing a document by one with other text: its old passages disappear
        other = sorted(used)[1]
        index.add(CorpusDocument(other, "新题目", _prose(rng, 500), ("某人",), date(2018, 1, 1)))
        replaced = check(paper, index)
        assert other not in {p.source_external_id for p in replaced.passages}
        index.compact()
        assert index.segment_count == 1
        assert check(paper, index) == replaced
    with DiskIndex(tmp_path / "idx") as reopened:
        assert gone not in reopened and other in reopened
        assert check(paper, reopened) == replaced
