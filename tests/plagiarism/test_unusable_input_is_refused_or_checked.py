"""Whatever text arrives, the service either refuses it with a 422 rule or checks it (never a 5xx)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plagiarism_service.domain import CorpusDocument, CorpusIndex, check, rules
from zhicheng_kernel.errors import InvalidInput
from zhicheng_tooling.dev_seed.corpus import DEMO_SOURCE_TEXT, SEED_PAPERS


@pytest.fixture(scope="module")
def index() -> CorpusIndex:
    idx = CorpusIndex()
    for p in SEED_PAPERS:
        idx.add(CorpusDocument(p.external_id, p.title, p.text, p.authors, p.published_on))
    return idx


texts = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec=None)),
    st.builds(lambda a, b, c: a + DEMO_SOURCE_TEXT[b : b + c], st.text(), st.integers(0, 200), st.integers(0, 80)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, title=st.text(), authors=st.lists(st.text(), max_size=3), level=st.sampled_from(["core", "x"]))
def test_any_input_is_either_refused_by_a_named_rule_or_checked(
    index: CorpusIndex, text: str, title: str, authors: list[str], level: str
) -> None:
    try:
        query = rules.check_input(text, title, authors, level, None)
    except InvalidInput as refusal:
        assert refusal.status == 422
        assert refusal.field
        return
    result = check(query, index)
    assert 0 <= result.copy_ratio_excluding_own <= result.total_copy_ratio <= 1
    assert all(0 <= p.start < p.end <= len(text) for p in result.passages)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "text_empty"),
        ("\u3000\n ", "text_empty"),
        ("x" * (rules.MAX_TEXT_CHARS + 1), "text_too_long"),
        ("abc\x00", "text_binary"),
        ("abc\x1b[0m", "text_binary"),
        ("abc\udfff", "text_binary"),
        ("……！？——", "text_no_content"),
    ],
)
def test_unusable_texts_are_refused_by_name(text: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        rules.clean_text(text)
    assert refused.value.code == code
    assert refused.value.field == "text"


def test_tabs_newlines_and_a_text_of_exactly_the_maximum_length_are_accepted() -> None:
    assert rules.clean_text("第一段\t正文\r\n第二段") == "第一段\t正文\r\n第二段"
    assert len(rules.clean_text("文" * rules.MAX_TEXT_CHARS)) == rules.MAX_TEXT_CHARS
