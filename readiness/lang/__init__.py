"""The languages of the reports' own text: English (the default) and Japanese.

Only what people read changes with the language: headings, labels, the remediation, and an
explanation shown beside each troubleshooter message. RuleIds, message ids, the
troubleshooter's English messages and every machine-read output stay as they are.

>>> ui("matrix.heading", "ja")
'ホスト別の準備状況'
>>> ui("terminal.rules", "en", count=20, parts="20 Passed")
'20 rules: 20 Passed'
>>> explain("ProxySettings.Passed", "en") is None
True
>>> check_language("fr")
Traceback (most recent call last):
    ...
readiness.lang.UnknownLanguage: unknown language 'fr' (known: en, ja)
"""

from __future__ import annotations

from readiness.lang.messages import HOST_REASONS, MESSAGES, REASON_EXPLANATIONS, VARIANTS
from readiness.lang.ui import UI

LANGUAGES = ("en", "ja")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}


class UnknownLanguage(ValueError):
    """A language the reports are not written in."""


def check_language(lang: str | None) -> str:
    """The language itself when known (``None`` is the default); ``UnknownLanguage`` otherwise."""
    if lang is None:
        return DEFAULT_LANGUAGE
    if lang not in LANGUAGES:
        raise UnknownLanguage(f"unknown language {lang!r} (known: {', '.join(LANGUAGES)})")
    return lang


def ui(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """A UI string of the reports in ``lang``, its ``{placeholders}`` filled from ``values``.

    ``KeyError`` naming the key for a key that is not in the catalog.
    """
    lang = check_language(lang)
    try:
        entry = UI[key]
    except KeyError:
        raise KeyError(f"no UI string has the key {key!r}") from None
    return entry[lang].format(**values) if values else entry[lang]


def ui_keys() -> list[str]:
    """Every key of the UI catalog, in catalog order."""
    return list(UI)


def check_result_name(check: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A CheckResult (``Passed``, ``PassedWithWarning``, ``Failed``, ``not applicable``, ``not run``,
    ``no result``) as people read it in ``lang``; the value itself for one the catalog does not know."""
    key = f"check.{check}"
    return ui(key, lang) if key in UI else check


def rule_name(rule_id: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The rule's name as shown to people: the troubleshooter's RuleName in ``en``."""
    return ui(f"rule.{rule_id}", lang)


def group_name(group_id: str, group_name_en: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A rule group's name as shown to people (``group_name_en``, the troubleshooter's, in ``en``)."""
    lang = check_language(lang)
    if lang == DEFAULT_LANGUAGE:
        return group_name_en
    return ui(f"group.{group_name_en}", lang)


def _split(message_id: str) -> tuple[str, str | None]:
    """``(RuleId, host-level reason or None)`` of a message id."""
    parts = message_id.split(".")
    if len(parts) == 3 and parts[1] == "Failed" and parts[2] in HOST_REASONS:
        return parts[0], parts[2]
    return parts[0], None


def message_ids() -> list[str]:
    """Every message id a readiness rule can produce, the host-level ones of every rule included."""
    from readiness.catalog import RULES

    ids = list(MESSAGES)
    ids += [f"{rule_id}.Failed.{reason}" for rule_id in RULES for reason in HOST_REASONS]
    return ids


def known_message_id(message_id: str) -> bool:
    from readiness.catalog import RULES

    rule_id, reason = _split(message_id)
    return message_id in MESSAGES or (reason is not None and rule_id in RULES)


def explain(message_id: str, lang: str = DEFAULT_LANGUAGE, message: str | None = None) -> str | None:
    """The explanation shown beside a result's troubleshooter message, in ``lang``.

    ``None`` in ``en`` (the troubleshooter's English message says it) and for a message id the
    catalog does not know. ``message``, the result's own message, picks the explanation of the
    case when one message id covers several (``LAOdsEndpointConnectivity.Failed``).
    """
    lang = check_language(lang)
    if lang == DEFAULT_LANGUAGE:
        return None
    rule_id, reason = _split(message_id)
    if reason is not None:
        from readiness.catalog import RULES

        return REASON_EXPLANATIONS[reason][lang] if rule_id in RULES else None
    if message is not None:
        for prefix, texts in VARIANTS.get(message_id, ()):
            if message.startswith(prefix):
                return texts[lang]
    entry = MESSAGES.get(message_id)
    return None if entry is None else entry[lang]


def message_en(message_id: str) -> str | None:
    """The troubleshooter's English message of a rule-specific id, as docs/rules.md writes it
    (``<...>`` for a value of the host); for an id with several cases, the first."""
    entry = MESSAGES.get(message_id)
    return None if entry is None else entry["en"]


__all__ = [
    "DEFAULT_LANGUAGE",
    "HOST_REASONS",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "UnknownLanguage",
    "check_language",
    "check_result_name",
    "explain",
    "group_name",
    "known_message_id",
    "message_en",
    "message_ids",
    "rule_name",
    "ui",
    "ui_keys",
]
