"""Behaviour of the plagiarism-service domain core (CNKI-style similarity check, POL-PA-4).

Test texts are pseudo-Chinese: characters drawn with a seeded generator from two DISJOINT sets of
common characters — sources from ``SOURCE_CHARS``, the submitted paper's own prose from
``OWN_CHARS`` — so a copied span can never be extended by coincidence and expected offsets and
ratios are exact.
"""

from __future__ import annotations

import random
from datetime import date

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from plagiarism_service.domain import (
    CheckInput,
    CheckParams,
    CheckResult,
    CorpusDocument,
    CorpusIndex,
    JournalLevel,
    Passage,
    brute_force_check,
    check,
    find_exclusions,
    fingerprints,
    normalise,
    stable_hash,
    winnow,
)

SOURCE_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
    "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当"
)
OWN_CHARS = (
    "使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反"
    "你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展"
)
assert not set(SOURCE_CHARS) & set(OWN_CHARS)


def _plain(rng: random.Random, n: int, chars: str) -> str:
    return "".join(rng.choices(chars, k=n))


def _prose(rng: random.Random, n: int, chars: str) -> str:
    """``n`` characters with a Chinese comma or full stop every 8–30 characters (never first/last)."""
    out: list[str] = []
    while len(out) < n:
        out.extend(rng.choices(chars, k=rng.randint(8, 30)))
        out.append(rng.choice("，。"))
    text = "".join(out)[:n]
    return text[:-1] + rng.choice(chars)


def _doc(
    external_id: str,
    text: str,
    *,
    title: str | None = None,
    authors: tuple[str, ...] | None = None,
    published_on: date | None = date(2020, 1, 1),
) -> CorpusDocument:
    return CorpusDocument(
        external_id=external_id,
        title=title if title is not None else f"来源论文 {external_id}",
        text=text,
        authors=authors if authors is not None else (f"作者{external_id}",),
        published_on=published_on,
    )


def _paper(
    text: str,
    level: JournalLevel = "core",
    *,
    title: str = "送审论文",
    authors: tuple[str, ...] = ("申报人",),
    published_on: date | None = date(2024, 6, 1),
    owner_sources: frozenset[str] = frozenset(),
) -> CheckInput:
    """A paper whose trusted date is ``published_on`` (the service layer chooses it: finding 6)."""
    return CheckInput(
        text=text,
        title=title,
        authors=authors,
        journal_level=level,
        published_on=published_on,
        sources_until=published_on,
        owner_sources=owner_sources,
    )


def _index(*docs: CorpusDocument) -> CorpusIndex:
    index = CorpusIndex()
    for d in docs:
        index.add(d)
    return index


def _both(paper: CheckInput, docs: list[CorpusDocument], params: CheckParams | None = None) -> CheckResult:
    """Run the indexed check and the brute-force check and insist they agree."""
    result = check(paper, _index(*docs), params)
    assert result == brute_force_check(paper, docs, params)
    return result


def _n(text: str) -> int:
    return len(normalise(text).text)


# -- normalisation and fingerprints ---------------------------------------------------------------


def test_normalise_maps_full_width_traditional_case_and_drops_punctuation_with_offsets() -> None:
    original = "學術，Ｄ Ｎ Ａ！２０２３\n“數據”abc"
    n = normalise(original)
    assert n.text == "学术dna2023数据abc"
    assert [original[o] for o in n.offsets] == list("學術ＤＮＡ２０２３數據abc")


@given(st.text(max_size=60))
@settings(max_examples=200, deadline=None)
def test_normalise_offsets_point_at_the_original_char_that_produced_each_char(text: str) -> None:
    n = normalise(text)
    assert len(n.offsets) == len(n.text)
    assert n.offsets == sorted(n.offsets)
    rebuilt = "".join(normalise(text[o]).text for o in dict.fromkeys(n.offsets))
    assert rebuilt == n.text


def test_fingerprint_hash_is_stable_across_processes() -> None:
    assert stable_hash("学术论文检测") == 14026981689522975509


def test_winnowing_guarantees_a_shared_fingerprint_for_every_13_char_common_substring() -> None:
    rng = random.Random(3)
    for _ in range(50):
        common = _plain(rng, 13, SOURCE_CHARS)
        a = _plain(rng, 40, OWN_CHARS) + common + _plain(rng, 40, OWN_CHARS)
        b = _plain(rng, 25, OWN_CHARS) + common
        assert {h for h, _ in fingerprints(a)} & {h for h, _ in fingerprints(b)}
    assert winnow([5, 3, 3, 7], 6) == [(3, 2)]


# -- exclusions ------------------------------------------------------------------------------------


def test_exclusions_find_the_reference_list_and_only_delimited_bounded_cited_quotations() -> None:
    text = (
        "前人指出“引文内容”[1]。张三[2]认为：“另一段引文”。“没有标注的引文”。“标注无效的引文”[9]。"
        "已有研究表明如此[1]。结论如此。[2]\n"
        "参考文献：\n[1] 张三. 论文一[J]. 2019.\n[2] 李四. 论文二[J]. 2020.\n"
    )
    ex = find_exclusions(text)
    assert text[ex.reference_start :].startswith("参考文献")
    assert ex.reference_numbers == {1, 2}
    # a cited sentence without quotation marks is not a quotation
    assert [text[a:b] for a, b in ex.quoted] == ["“引文内容”[1]", "“另一段引文”"]


def test_POL_PA_4_a_quotation_over_the_bound_or_in_an_unbalanced_paragraph_is_not_a_quotation() -> None:
    references = "\n参考文献\n[1] 王五. 一篇论文[J]. 2018.\n"
    long_quote = "“" + "甲" * 201 + "”[1]。"
    at_bound = "“" + "乙" * 200 + "”[1]。"
    assert find_exclusions(long_quote + references).quoted == ()
    assert len(find_exclusions(at_bound + references).quoted) == 1
    assert find_exclusions(long_quote + references, max_quote_chars=201).quoted != ()
    unbalanced = "他说“前半句。后文“引文内容”[1]。"  # one opening mark too many in the paragraph
    assert find_exclusions(unbalanced + references).quoted == ()
    stray_ascii = '他说"前半句。后文"引文内容"[1]。'  # an odd number of straight quotes
    assert find_exclusions(stray_ascii + references).quoted == ()
    assert find_exclusions("“引文内容”[1]。").quoted == ()  # no reference list: nothing resolves


# -- the check -------------------------------------------------------------------------------------


def test_verbatim_copy_is_found_with_exact_original_offsets() -> None:
    rng = random.Random(1)
    source = _prose(rng, 400, SOURCE_CHARS)
    copied = source[100:250].strip("，。")
    s_start = source.index(copied)
    prefix, suffix = _prose(rng, 300, OWN_CHARS), _prose(rng, 300, OWN_CHARS)
    paper = _paper(prefix + copied + suffix)

    result = _both(paper, [_doc("S1", source)])

    assert result.passages == [
        Passage(len(prefix), len(prefix) + len(copied), "S1", s_start, s_start + len(copied), False, False)
    ]
    assert result.total_copy_ratio == _n(copied) / _n(paper.text)
    assert result.copy_ratio_excluding_own == result.total_copy_ratio


def test_copy_disguised_with_punctuation_whitespace_and_full_width_forms_is_found() -> None:
    rng = random.Random(2)
    core = _plain(rng, 60, SOURCE_CHARS)
    phrase = "基于CRISPR的基因编辑技术在2023年取得"
    source = _prose(rng, 200, SOURCE_CHARS) + phrase + core + _prose(rng, 100, SOURCE_CHARS)
    disguised = (
        "基于ＣＲＩＳＰＲ的基因编辑技术在２０２３年取得"
        + "".join(ch + rng.choice([" ", "，", "\u3000", "\n", "、", ""]) for ch in core[:-1])
        + core[-1]
    )
    prefix = _prose(rng, 150, OWN_CHARS) + "。"
    paper = _paper(prefix + disguised + "。" + _prose(rng, 150, OWN_CHARS))

    result = _both(paper, [_doc("S1", source)])

    [passage] = result.passages
    assert (passage.start, passage.end) == (len(prefix), len(prefix) + len(disguised))
    assert source[passage.source_start : passage.source_end] == phrase + core
    assert result.matched_chars == _n(disguised)


def test_traditional_character_copy_is_found() -> None:
    rng = random.Random(4)
    simplified = "学术论文的质量评价应当以同行评议为主要依据，并结合引用情况进行综合判断"
    traditional = "學術論文的質量評價應當以同行評議為主要依據，並結合引用情況進行綜合判斷"
    source = _prose(rng, 200, SOURCE_CHARS) + "。" + simplified + "。" + _prose(rng, 200, SOURCE_CHARS)
    prefix = _prose(rng, 200, OWN_CHARS) + "。"
    paper = _paper(prefix + traditional + "。" + _prose(rng, 200, OWN_CHARS))

    result = _both(paper, [_doc("S1", source)])

    [passage] = result.passages
    assert paper.text[passage.start : passage.end] == traditional
    assert source[passage.source_start : passage.source_end] == simplified


def test_copy_with_small_insertion_deletion_or_substitution_is_one_bridged_passage() -> None:
    rng = random.Random(5)
    source = _plain(rng, 500, SOURCE_CHARS)
    copied = source[100:220]
    variants = {
        "insertion": copied[:50] + "使点从" + copied[50:],
        "deletion": copied[:50] + copied[54:],
        "substitution": copied[:40] + "使" + copied[41:90] + "点从" + copied[92:],
    }
    for variant in variants.values():
        prefix = _plain(rng, 200, OWN_CHARS)
        paper = _paper(prefix + variant + _plain(rng, 200, OWN_CHARS))
        result = _both(paper, [_doc("S1", source)])
        assert result.passages == [Passage(len(prefix), len(prefix) + len(variant), "S1", 100, 220, False, False)]
    # a gap of 5 characters is not bridged: two passages
    paper = _paper(_plain(rng, 200, OWN_CHARS) + copied[:50] + "使点从业本" + copied[50:])
    assert len(_both(paper, [_doc("S1", source)]).passages) == 2


def test_shared_phrase_of_12_chars_is_not_counted_but_13_chars_is() -> None:
    rng = random.Random(6)
    source = _plain(rng, 600, SOURCE_CHARS)
    docs = [_doc("S1", source)]

    def paper_with(length: int, count: int) -> CheckInput:
        parts = [_plain(rng, 100, OWN_CHARS)]
        for i in range(count):
            parts += [source[100 + 200 * i : 100 + 200 * i + length], _plain(rng, 100, OWN_CHARS)]
        return _paper("".join(parts))

    twelve = _both(paper_with(12, 2), docs)
    assert twelve.total_copy_ratio == 0 and twelve.passages == []

    thirteen = _both(paper_with(13, 2), docs)
    assert thirteen.matched_chars == 26
    assert [p.end - p.start for p in thirteen.passages] == [13, 13]

    # a lone 13-character phrase: found by alignment; the index guarantees one shared fingerprint
    # for it, so it becomes a candidate with min_shared=1 (the default 2 needs >= 19 chars or two phrases)
    lone = paper_with(13, 1)
    assert brute_force_check(lone, docs).matched_chars == 13
    assert check(lone, _index(*docs), CheckParams(min_shared=1)).matched_chars == 13


def test_only_cited_quotations_are_left_out_of_the_ratio_excluding_quotes_and_they_count_excluding_own() -> None:
    rng = random.Random(7)
    source = _plain(rng, 900, SOURCE_CHARS)
    quoted, cited, plain, unresolved = source[0:60], source[200:280], source[400:440], source[600:650]
    body = "".join(
        [
            _plain(rng, 100, OWN_CHARS) + "。有学者认为“" + quoted + "”[1]。",
            _plain(rng, 50, OWN_CHARS) + "。" + cited + "[1-2]。",
            _plain(rng, 50, OWN_CHARS) + "。" + plain + "。",
            _plain(rng, 50, OWN_CHARS) + "。“" + unresolved + "”[7]。",
            _plain(rng, 100, OWN_CHARS) + "\n",
        ]
    )
    paper = _paper(body + "参考文献\n[1] 王五. 一篇论文[J]. 期刊, 2018.\n[2] 赵六. 另一篇[M]. 2019.\n")

    result = _both(paper, [_doc("S1", source)])

    by_text = {paper.text[p.start : p.end]: p for p in result.passages}
    assert by_text[quoted].quoted
    assert not by_text[cited].quoted and not by_text[plain].quoted and not by_text[unresolved].quoted
    n = _n(body)
    assert result.checked_chars == n
    assert result.total_copy_ratio == 230 / n
    assert result.copy_ratio_excluding_quotes == 170 / n
    assert result.copy_ratio_excluding_own == 230 / n  # CNKI: quotations still count here


def test_POL_PA_4_a_third_of_a_source_copied_inside_quotation_marks_still_counts() -> None:
    rng = random.Random(17)
    source = _plain(rng, 900, SOURCE_CHARS)
    third = [source[i : i + 100] for i in range(0, 300, 100)]
    body = "".join(_plain(rng, 80, OWN_CHARS) + "。“" + part + "”[1]。\n" for part in third)
    whole = _plain(rng, 80, OWN_CHARS) + "。“" + source[300:600] + "”[1]。\n"  # one quotation of 300 chars
    references = "参考文献\n[1] 王五. 一篇论文[J]. 期刊, 2018.\n"

    short_quotes = _both(_paper(body + references), [_doc("S1", source)])
    one_long_quote = _both(_paper(whole + references), [_doc("S1", source)])

    assert short_quotes.copy_ratio_excluding_quotes == 0  # three cited quotations of 100 chars each
    assert short_quotes.copy_ratio_excluding_own == short_quotes.total_copy_ratio == 300 / _n(body)
    assert one_long_quote.copy_ratio_excluding_quotes == one_long_quote.total_copy_ratio == 300 / _n(whole)


def test_own_earlier_publication_is_flagged_own_and_not_counted() -> None:
    rng = random.Random(8)
    own_text, other_text = _plain(rng, 500, SOURCE_CHARS), _plain(rng, 500, SOURCE_CHARS)
    paper = _paper(
        _plain(rng, 300, OWN_CHARS) + own_text[:200] + _plain(rng, 300, OWN_CHARS) + other_text[:50],
        authors=("李 娜", "陈刚"),
        owner_sources=frozenset({"OWN"}),  # registered to the owner's account (not matched by names)
    )
    docs = [
        _doc("OWN", own_text, authors=("王伟", "李娜"), title="作者早年的论文"),
        _doc("OTHER", other_text),
    ]

    result = _both(paper, docs)

    flags = {p.source_external_id: p.own for p in result.passages}
    assert flags == {"OWN": True, "OTHER": False}
    n = _n(paper.text)
    assert result.total_copy_ratio == 250 / n
    assert result.copy_ratio_excluding_own == 50 / n  # 200/850 would fail a core paper if own text counted


def test_the_paper_itself_in_the_corpus_is_ignored() -> None:
    rng = random.Random(9)
    text = _prose(rng, 800, SOURCE_CHARS)
    paper = _paper(text, title="基层医疗 服务研究", authors=("张伟",), owner_sources=frozenset({"SELF", "COPY"}))
    same_title = _doc("SELF", text + "（录用稿）", title="基层医疗服务研究", authors=("张伟", "某某"))
    identical_text = _doc("COPY", "\n" + text + "  ", authors=("别人",))
    assert _both(paper, [same_title, identical_text]).passages == []


def test_finding_6_typed_author_names_never_make_a_source_own_work_or_the_paper_itself() -> None:
    """Finding 6: listing a source's authors (readable from the corpus list) made it "own work"; only
    the sources registered to the owner's account are own work, and someone else's identical text or
    same-titled paper is copying."""
    rng = random.Random(19)
    text = _prose(rng, 800, SOURCE_CHARS)
    source = _doc("THEIRS", text, title="基层医疗服务研究", authors=("张伟", "某某"))
    typed_their_names = _paper(text, title="基层医疗服务研究", authors=("张伟", "某某"))

    result = _both(typed_their_names, [source])

    assert result.total_copy_ratio == result.copy_ratio_excluding_own == 1.0
    assert {p.own for p in result.passages} == {False}


def test_finding_6_a_backdated_claimed_date_does_not_skip_later_sources() -> None:
    """Finding 6: a backdated `published_on` skipped later sources; the domain only honours
    `sources_until` (a date the service trusts), the claimed date decides nothing."""
    rng = random.Random(20)
    source = _plain(rng, 400, SOURCE_CHARS)
    text = _plain(rng, 300, OWN_CHARS) + source[:100]
    backdated = CheckInput(text=text, title="t", authors=(), published_on=date(2001, 1, 1), sources_until=None)
    result = _both(backdated, [_doc("S1", source, published_on=date(2023, 3, 2))])
    assert len(result.passages) == 1


def test_sources_published_after_the_paper_are_ignored() -> None:
    rng = random.Random(10)
    source = _plain(rng, 400, SOURCE_CHARS)
    paper = _paper(_plain(rng, 300, OWN_CHARS) + source[:100], published_on=date(2023, 3, 1))

    later = _both(paper, [_doc("S1", source, published_on=date(2023, 3, 2))])
    same_day = _both(paper, [_doc("S1", source, published_on=date(2023, 3, 1))])

    assert later.passages == [] and later.total_copy_ratio == 0
    assert len(same_day.passages) == 1


def test_reference_list_is_ignored_for_matching_and_denominator() -> None:
    rng = random.Random(11)
    source = _plain(rng, 600, SOURCE_CHARS)
    body = _prose(rng, 400, OWN_CHARS) + "\n"
    paper = _paper(body + "  References:\n[1] " + source[:300] + "\n[2] " + source[300:] + "\n")

    result = _both(paper, [_doc("S1", source)])

    assert result.passages == [] and result.total_copy_ratio == 0
    assert result.checked_chars == _n(body)


def test_overlapping_sources_are_credited_once_to_the_longest_match() -> None:
    rng = random.Random(12)
    x, y = _plain(rng, 100, SOURCE_CHARS), _plain(rng, 50, SOURCE_CHARS)
    a_text = _plain(rng, 80, SOURCE_CHARS) + "。" + x + "。" + _plain(rng, 80, SOURCE_CHARS)
    b_text = _plain(rng, 80, SOURCE_CHARS) + "。" + x[20:80] + "。" + x[60:] + y + "。"
    prefix = _plain(rng, 200, OWN_CHARS)
    paper = _paper(prefix + x + y + _plain(rng, 200, OWN_CHARS))

    result = _both(paper, [_doc("A", a_text), _doc("B", b_text)])

    y_in_b = b_text.index(y)
    assert result.passages == [
        Passage(len(prefix), len(prefix) + 100, "A", 81, 181, False, False),
        Passage(len(prefix) + 100, len(prefix) + 150, "B", y_in_b, y_in_b + 50, False, False),
    ]
    n = _n(paper.text)
    assert result.total_copy_ratio == 150 / n
    assert result.max_single_source_ratio == 100 / n


def _paper_at(copied: int, total: int, level: JournalLevel, seed: int) -> tuple[CheckInput, list[CorpusDocument]]:
    """A paper of exactly ``total`` normalised chars of which ``copied`` come from one source."""
    rng = random.Random(seed)
    source = _plain(rng, 1000, SOURCE_CHARS)
    own = _plain(rng, total - copied, OWN_CHARS)
    half = len(own) // 2
    paper = _paper(own[:half] + "，" + source[300 : 300 + copied] + "。" + own[half:], level)
    assert _n(paper.text) == total
    return paper, [_doc("S1", source)]


def test_ratios_are_measured_exactly_at_the_limits_application_service_decides_on() -> None:
    for copied, ratio in ((150, 0.15), (151, 0.151), (250, 0.25), (251, 0.251)):
        paper, docs = _paper_at(copied, 1000, "core", seed=13)
        result = _both(paper, docs)
        assert result.copy_ratio_excluding_own == result.total_copy_ratio == ratio, copied
        assert not hasattr(result, "decision")  # this service measures; application-service decides POL-PA-4


def test_empty_corpus_gives_zero() -> None:
    rng = random.Random(15)
    result = check(_paper(_prose(rng, 500, OWN_CHARS)), CorpusIndex())
    assert (result.total_copy_ratio, result.copy_ratio_excluding_own, result.passages) == (0, 0, [])
    empty = check(_paper(""), CorpusIndex())
    assert empty.checked_chars == 0 and empty.total_copy_ratio == 0


# -- the index ------------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=2**32))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_index_check_finds_the_same_passages_as_brute_force_on_a_random_corpus(seed: int) -> None:
    rng = random.Random(seed)
    authors = ["甲", "乙", "丙", "丁", "戊"]
    docs = [
        _doc(
            f"D{i:02d}",
            _prose(rng, rng.randint(300, 1500), SOURCE_CHARS),
            authors=tuple(rng.sample(authors, 2)),
            published_on=date(2015 + rng.randint(0, 10), 1, 1) if rng.random() < 0.9 else None,
        )
        for i in range(30)
    ]
    parts = [_prose(rng, 200, OWN_CHARS)]
    copied_from = []
    for _ in range(8):
        doc = rng.choice(docs)
        copied_from.append(doc)
        start = rng.randrange(0, len(doc.text) - 160)
        parts.append(doc.text[start : start + rng.randint(19, 150)])
        parts.append(_prose(rng, rng.randint(5, 100), OWN_CHARS))
    # every source published after the paper (seed 24236): nothing to find, nothing to compare
    assume(any(d.published_on is None or d.published_on <= date(2021, 1, 1) for d in copied_from))
    paper = _paper(
        "".join(parts),
        rng.choice(["core", "provincial"]),
        authors=(rng.choice(authors),),
        published_on=date(2021, 1, 1),
    )
    index = _index(*docs)

    indexed, brute = check(paper, index), brute_force_check(paper, docs)

    assert indexed == brute
    assert indexed.passages


def test_index_remove_replace_and_document_frequency_cut() -> None:
    rng = random.Random(16)
    boilerplate = _plain(rng, 120, SOURCE_CHARS)
    docs = [_doc(f"D{i}", _plain(rng, 300, OWN_CHARS) + boilerplate) for i in range(3)]
    index = CorpusIndex(max_df=2)
    for d in docs:
        index.add(d)
    paper = _paper("申报人写的" + boilerplate + "结束了")
    assert index.candidates(index.kgram_hashes(normalise(paper.text).text)) == []  # df 3 > max_df 2
    assert len(brute_force_check(paper, docs).passages) == 1  # the text is still a copy

    index.remove("D0")
    assert "D0" not in index and len(index) == 2
    assert [c.external_id for c in index.candidates(index.kgram_hashes(normalise(paper.text).text))] == [
        "D1",
        "D2",
    ]
    fingerprint_count = index.fingerprint_count
    index.add(docs[1])  # replacing a document keeps the index unchanged
    assert index.fingerprint_count == fingerprint_count and len(index) == 2
    for d in docs[1:]:
        index.remove(d.external_id)
    assert index.fingerprint_count == 0 and not index.remove("D1")


@given(
    st.text(alphabet=SOURCE_CHARS[:12] + "，。“”[]1 \n參考文獻ＡＢab", max_size=300),
    st.text(alphabet=SOURCE_CHARS[:12] + "，。「」 \n", max_size=300),
)
@settings(max_examples=60, deadline=None)
def test_check_on_arbitrary_text_gives_consistent_ratios_and_in_bounds_offsets(query: str, source: str) -> None:
    paper, docs = _paper(query), [_doc("S1", source)]
    for result in (check(paper, _index(*docs), CheckParams(min_shared=1)), brute_force_check(paper, docs)):
        total = result.total_copy_ratio
        assert 0 <= result.copy_ratio_excluding_own <= total <= 1
        assert 0 <= result.copy_ratio_excluding_quotes <= total
        assert 0 <= result.max_single_source_ratio <= total
        for p in result.passages:
            assert 0 <= p.start < p.end <= len(query)
            assert 0 <= p.source_start < p.source_end <= len(source)
        assert result.matched_chars == sum(len(normalise(query[p.start : p.end]).text) for p in result.passages)
