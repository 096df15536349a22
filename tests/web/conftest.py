"""The web tests' browser (the served application, `web_url`, is a session fixture of tests/conftest.py:
the certificates' QR codes of the end-to-end tests open it too)."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from tests.web.browser import browser, page, phone

__all__ = ["browser", "page", "phone"]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Each phase's report on the test item (item.rep_call), so the page fixture knows a test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
