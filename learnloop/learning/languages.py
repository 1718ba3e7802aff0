"""The languages an item can be in: ISO 639-1 codes with their English names, from Django's own table.

Items store the code ("de"). What people typed before there was a list ("German", "Deutsch", "de-DE")
is read back to a code by `language_code`, which the data migration and the services share.
"""

from __future__ import annotations

from functools import cache

from django.conf.locale import LANG_INFO


@cache
def language_names() -> dict[str, str]:
    """{code: English name} for every two-letter code Django knows, by name."""
    pairs = [(code, str(info["name"])) for code, info in LANG_INFO.items() if len(code) == 2 and "name" in info]
    return dict(sorted(pairs, key=lambda pair: pair[1]))


def language_choices() -> list[tuple[str, str]]:
    return list(language_names().items())


@cache
def _lookup() -> dict[str, str]:
    """Every spelling that names one language: its code, English name and own name, in lower case."""
    found: dict[str, str] = {}
    for code, info in LANG_INFO.items():
        if len(code) != 2 or "name" not in info:
            continue
        for spelling in (code, info["name"], info.get("name_local", "")):
            if spelling:
                found.setdefault(str(spelling).strip().casefold(), code)
    return found


def language_code(text: str) -> str | None:
    """The ISO 639-1 code `text` names (a code in any case, a regional tag such as "en-GB" or "pt_BR", an
    English or native name), or None when it names no language on the list."""
    cleaned = text.strip().casefold()
    if not cleaned:
        return None
    known = _lookup()
    if cleaned in known:
        return known[cleaned]
    primary = cleaned.replace("_", "-").split("-", 1)[0]
    return primary if len(primary) == 2 and primary in known and known[primary] == primary else None


def language_name(code: str) -> str:
    """The language's English name; a value that is not on the list is shown as stored."""
    return language_names().get(code, code)
