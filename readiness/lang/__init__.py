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

from readiness.catalog import DEFAULT_PROFILE, PROFILE_RULES, RuleInfo
from readiness.lang import messages_aum
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


def rule_name(rule_id: str, lang: str = DEFAULT_LANGUAGE, profile: str = DEFAULT_PROFILE) -> str:
    """The rule's name as shown to people: the troubleshooter's RuleName in ``en``. A RuleId names
    another rule in another profile (TlsVersionCheck is "TLS 1.2" or "TLS version check")."""
    if profile == DEFAULT_PROFILE:
        return ui(f"rule.{rule_id}", lang)
    _rules(profile)[rule_id]  # a clear error for a RuleId the profile does not have
    return messages_aum.RULE_NAMES[rule_id][check_language(lang)]


def _rules(profile: str) -> dict[str, RuleInfo]:
    try:
        return PROFILE_RULES[profile]
    except KeyError:
        raise KeyError(f"no readiness profile is named {profile!r}") from None


def _messages(profile: str) -> tuple[dict[str, dict[str, str]], dict[str, list[tuple[str, dict[str, str]]]]]:
    """The message catalog and the variants of ``profile``'s rules."""
    if profile == DEFAULT_PROFILE:
        return MESSAGES, VARIANTS
    rules = _rules(profile)
    return ({i: m for i, m in messages_aum.MESSAGES.items() if i.split(".")[0] in rules},
            {i: v for i, v in messages_aum.VARIANTS.items() if i.split(".")[0] in rules})


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


def message_ids(profile: str = DEFAULT_PROFILE) -> list[str]:
    """Every message id a readiness rule of ``profile`` can produce, the host-level ones of every rule included."""
    messages, _ = _messages(profile)
    ids = list(messages)
    ids += [f"{rule_id}.Failed.{reason}" for rule_id in _rules(profile) for reason in HOST_REASONS]
    return ids


def known_message_id(message_id: str, profile: str = DEFAULT_PROFILE) -> bool:
    messages, _ = _messages(profile)
    rule_id, reason = _split(message_id)
    return message_id in messages or (reason is not None and rule_id in _rules(profile))


def explain(message_id: str, lang: str = DEFAULT_LANGUAGE, message: str | None = None,
            profile: str = DEFAULT_PROFILE) -> str | None:
    """The explanation shown beside a result's troubleshooter message, in ``lang``.

    ``None`` in ``en`` (the troubleshooter's English message says it) and for a message id the
    catalog of ``profile`` does not know. ``message``, the result's own message, picks the
    explanation of the case when one message id covers several (``LAOdsEndpointConnectivity.Failed``;
    on ``arc``, ProxySettingsCheck's shorter warning).
    """
    lang = check_language(lang)
    if lang == DEFAULT_LANGUAGE:
        return None
    messages, variants = _messages(profile)
    rule_id, reason = _split(message_id)
    if reason is not None:
        return REASON_EXPLANATIONS[reason][lang] if rule_id in _rules(profile) else None
    if message is not None:
        for prefix, texts in variants.get(message_id, ()):
            # The Update Management variants are told apart by their start; the profiles of
            # Update Manager by the whole message ("Proxy is set." starts the longer one).
            if message == prefix or (profile == DEFAULT_PROFILE and message.startswith(prefix)):
                return texts[lang]
    entry = messages.get(message_id)
    return None if entry is None else entry[lang]


def message_en(message_id: str, profile: str = DEFAULT_PROFILE) -> str | None:
    """The troubleshooter's English message of a rule-specific id, as the profile's rules page
    (docs/rules.md, docs/update-manager-rules.md) writes it (``<...>`` for a value of the host); for
    an id with several cases, the first."""
    entry = _messages(profile)[0].get(message_id)
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
