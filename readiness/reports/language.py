"""``--readiness-lang``: the language of the reports' own text (the HTML report, the terminal summary).

A pytest plugin (loaded with the readiness plugin and the report plugins). Only what people read
changes with the language; the troubleshooter JSON, JUnit XML, RuleIds, message ids and the
troubleshooter's English messages are the same in every language (docs/languages.md).
"""

from __future__ import annotations

import pytest

from readiness.lang import DEFAULT_LANGUAGE, LANGUAGES, check_language


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("readiness", "Update Management readiness of Windows hosts")
    group.addoption("--readiness-lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE, metavar="{en,ja}",
                    help="language of the HTML report and the terminal summary: 'en' (default) or 'ja'; "
                    "machine-read output (JSON, JUnit XML) is the same in every language")


def report_language(config: pytest.Config) -> str:
    """The language the run's reports are written in (the default without the option)."""
    return check_language(config.getoption("readiness_lang", None) or DEFAULT_LANGUAGE)
