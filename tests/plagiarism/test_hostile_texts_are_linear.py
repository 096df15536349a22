"""Finding 1 of issue 12 (pure): hostile texts are scanned in linear time.

"参考文献" followed by thousands of spaces made ``_REF_HEADING`` backtrack cubically (800 spaces 2.4 s,
20,000 spaces hours) while holding the interpreter lock. Each case runs in a child process with a
deadline, so the unfixed code fails the test instead of hanging it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# Generous: a linear scan of these texts takes milliseconds; the shared 2-core machine may be slow.
BUDGET_SECONDS = 5.0
DEADLINE_SECONDS = 60.0

HOSTILE = {
    "spaces after the heading": "'正文。\\n参考文献' + ' ' * 20_000 + '。'",
    "spaces after a bracketed heading": "'正文。\\n【参考文献' + '\\u3000' * 20_000 + 'x'",
    "spaces inside works cited": "'text\\nworks' + ' ' * 20_000 + 'citedx'",
    "spaces after an entry mark": "'正文。\\n参考文献\\n[' + ' ' * 20_000 + '1' + ' ' * 20_000",
    "spaces after a quotation": "'他说“这是引文”' + ' ' * 20_000 + '，' + ' ' * 20_000 + '\\n参考文献\\n[1] 甲.'",
    "spaces inside a citation": "'他说“这是引文”[1' + ' ' * 20_000 + '\\n参考文献\\n[1] 甲.'",
    "spaces before a section number": "'摘要\\n' + ' ' * 20_000 + '1.1' + ' ' * 20_000",
}


def _elapsed(expression: str) -> float:
    """Seconds the scans of the text take in a child process (killed at the deadline)."""
    program = textwrap.dedent(
        f"""
        import time
        from plagiarism_service.domain import CheckInput, CorpusIndex, check, find_exclusions, reference_start
        from plagiarism_service.domain.sections import split_sections
        text = {expression}
        started = time.perf_counter()
        reference_start(text)
        find_exclusions(text)
        split_sections(text)
        check(CheckInput(text=text, title="", authors=()), CorpusIndex())
        print(time.perf_counter() - started)
        """
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", program], capture_output=True, text=True, timeout=DEADLINE_SECONDS, check=True
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the scan did not end within {DEADLINE_SECONDS:.0f} s: catastrophic backtracking")
    return float(done.stdout.strip())


def test_finding_1_reference_heading_scan_is_linear_in_the_spaces() -> None:
    """Finding 1: "参考文献" followed by 20,000 spaces took hours in `_REF_HEADING`; it must take milliseconds."""
    assert _elapsed(HOSTILE["spaces after the heading"]) < BUDGET_SECONDS


@pytest.mark.parametrize("case", sorted(set(HOSTILE) - {"spaces after the heading"}))
def test_finding_1_no_other_expression_of_the_service_backtracks_on_spaces(case: str) -> None:
    """Finding 1: every other expression of the service was audited for the same shape (unbounded
    whitespace beside optional marks); each hostile text is scanned within the budget."""
    assert _elapsed(HOSTILE[case]) < BUDGET_SECONDS


def test_finding_1_headings_are_still_found() -> None:
    """Finding 1: the linear scan finds the headings the expression found (bracketed, with a colon)."""
    from plagiarism_service.domain import reference_start

    for heading in ("参考文献", "【参考文献】", "  主要参考文献：", "References:", "Works  Cited", "（参考文献）"):
        text = f"正文一段。\n{heading}\n[1] 甲. 乙[J]. 2019."
        assert reference_start(text) == len("正文一段。\n"), heading
    assert reference_start("正文提到参考文献的作用。\n") == len("正文提到参考文献的作用。\n")
    assert reference_start("参考文献\n中\n参考文献\n[1] 甲") == len("参考文献\n中\n")  # the last heading
