"""The demo in a real browser: headless Chromium loads the page, adds a customer through the
form, sees it listed, then sees the error message for a bad phone number.

Skips when Debian's ``chromium`` and ``chromium-driver`` are not installed (CI installs them).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from athanor_demo import cli
from athanor_demo.app import app
from athanor_demo.models import Session
from athanor_demo.server import BackgroundServer

from ._webdriver import Browser, chromium_paths

PATHS = chromium_paths()
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def _need_chromium() -> None:
    if PATHS is None:
        reason = "chromium / chromedriver not installed (apt-get install chromium chromium-driver)"
        if IN_CI:
            pytest.fail(reason + "; CI=true requires them", pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def served(tmp_path: Any) -> Iterator[tuple[str, Any]]:
    engine = cli.setup(f"sqlite:///{tmp_path / 'browser.db'}")
    try:
        with BackgroundServer(app) as url:
            yield url, engine
    finally:
        Session.close_all()
        engine.dispose()


def test_add_a_customer_through_the_form_in_chromium(served: tuple[str, Any]) -> None:
    url, engine = served
    assert PATHS is not None
    with Browser(*PATHS) as browser:
        browser.get(url)
        assert 'id="add-form"' in browser.source()
        browser.type("#add-form #id", "dave1")
        browser.type("#add-form #name", "dave")
        browser.type("#add-form #phone", "416-223-8652")
        browser.type("#add-form #address", "9 King ST")
        browser.click("#add")
        assert browser.wait_for_text("#message", "Added dave (dave1).") == "Added dave (dave1)."
        row = browser.text('#customers tr[data-id="dave1"]')
        assert "dave" in row and "416-223-8652" in row and "9 King ST" in row

        browser.type("#add-form #name", "mary")
        browser.type("#add-form #phone", "1234567890123")
        browser.click("#add")
        too_long = "Phone is too long: at most 12 characters, got 13."
        assert browser.wait_for_text("#message", too_long) == too_long
        assert "mary" not in browser.text("#customers")
