"""A missing browser fails the run, in CI and on a workstation alike: it never skips."""

from __future__ import annotations

import pytest

from tests.browser import conftest


def test_a_missing_browser_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required"):
        conftest.missing_browser("Debian's chromium")


def test_a_missing_browser_fails_outside_ci_too(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.fail.Exception, match="required"):
        conftest.missing_browser("Debian's chromium")


def test_playwright_never_downloads_a_browser():
    source = open(conftest.__file__, encoding="utf-8").read()
    assert "executable_path=path" in source and "install(" not in source
