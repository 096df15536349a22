"""Writes docs/EVENTS.md from the four services' event catalogues: `make events-doc`.

The test tests/test_event_contract.py renders the same catalogues and compares them with the page.
"""

from __future__ import annotations

import sys
from pathlib import Path

from application_service.domain.events import CATALOGUE as APPLICATION
from org_service.domain.events import CATALOGUE as ORG
from plagiarism_service.domain.events import CATALOGUE as PLAGIARISM
from review_service.domain.events import CATALOGUE as REVIEW
from zhicheng_kernel.event_docs import render

CATALOGUES = (ORG, APPLICATION, PLAGIARISM, REVIEW)
PAGE = Path(__file__).resolve().parents[3] / "docs" / "EVENTS.md"


def page() -> str:
    return render(CATALOGUES)


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PAGE
    target.write_text(page(), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
