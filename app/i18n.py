"""The languages Hillside speaks, which one a request gets, and sentences from the catalogue.

One catalogue file per language (``app/messages/<lang>.json``), every one complete: the
tests hold that. A sentence is a key and its arguments; the words live in the
catalogue and are filled in at the edge. Plurals use the ICU subset
``{n, plural, one {# step} few {# steps} other {# steps}}``, chosen by each
language's CLDR plural rules (Babel here, ``Intl.PluralRules`` in the pages), so
Russian and Polish get their several forms. A number's placeholder may name its
precision, ``{slope:.3g}``: that many significant digits, written as the pages'
``num()`` writes them in the reader's language (``0,25`` in Polish, ``1e-6``, a
true minus sign); a list of numbers is written item by item, joined by the
catalogue's ``text.list_separator``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale

MESSAGES_DIR = Path(__file__).resolve().parent / "messages"
DEFAULT_LANGUAGE = "en"
# Each language by its own name, as the language menu shows it.
LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский", "zh-TW": "繁體中文", "pl": "Polski"}
LANGUAGE_COOKIE = "hillside_lang"
# Browsers say zh-Hant, zh-HK or plain zh: Traditional characters are what Hillside ships, and closer than English.
_PREFIXES = {"en": "en", "ru": "ru", "pl": "pl", "zh": "zh-TW"}


def known(code: str | None) -> str | None:
    """The shipped language a code names (``pl-PL`` -> ``pl``, ``zh-Hant`` -> ``zh-TW``), or None."""
    if not code:
        return None
    code = code.strip().replace("_", "-")
    for shipped in LANGUAGES:
        if code.lower() == shipped.lower():
            return shipped
    return _PREFIXES.get(code.split("-", 1)[0].lower())


def from_accept_language(header: str | None) -> str | None:
    """The shipped language the browser prefers most (``Accept-Language`` with its q-values), or None."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        match = re.search(r"q\s*=\s*([^;,\s]*)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                continue
        language = known(tag)
        if language and quality > 0:
            ranked.append((-quality, index, language))
    return min(ranked)[2] if ranked else None


def choose_language(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """``?lang=`` (a shared link), then the choice saved in the browser, then the browser's wish, then English."""
    return known(query) or known(cookie) or from_accept_language(accept_language) or DEFAULT_LANGUAGE


@lru_cache
def load_messages(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The catalogue for ``language``; a key a translation lacks falls back to English (the tests forbid that)."""
    english = json.loads((MESSAGES_DIR / f"{DEFAULT_LANGUAGE}.json").read_text(encoding="utf-8"))
    path = MESSAGES_DIR / f"{language}.json"
    if language == DEFAULT_LANGUAGE or not path.is_file():
        return english
    return {**english, **json.loads(path.read_text(encoding="utf-8"))}


_PLURAL = re.compile(r"\{(\w+), plural,((?:\s*(?:=\d+|zero|one|two|few|many|other)\s*\{[^{}]*\})+)\s*\}")
_BRANCH = re.compile(r"(=\d+|zero|one|two|few|many|other)\s*\{([^{}]*)\}")


def plural_category(language: str, n: float) -> str:
    """CLDR's plural category of ``n`` in ``language``: one, few, many or other (Babel's rules)."""
    return Locale.parse(language.replace("-", "_") if language != "zh-TW" else "zh_Hant_TW").plural_form(abs(n))


_PLACEHOLDER = re.compile(r"\{(\w+)(?::\.?(\d*)g)?\}")


def _symbols(language: str) -> Mapping[str, str]:
    locale = Locale.parse(language.replace("-", "_") if language != "zh-TW" else "zh_Hant_TW")
    symbols = locale.number_symbols
    return symbols.get("latn", symbols) if hasattr(symbols, "get") else symbols


@lru_cache
def _decimal_mark(language: str) -> str:
    return str(_symbols(language).get("decimal", "."))


def number(value: float | None, digits: int = 6, language: str = DEFAULT_LANGUAGE) -> str:
    """A number as the pages' ``num(value, digits)`` writes it: up to ``digits`` significant digits, no trailing
    zeros, exponent form (``1.5e-7``) when huge or tiny, a true minus sign, the language's decimal mark.

    Rounded from the exact binary value, ties away from zero, as ``Intl.NumberFormat`` and ``toExponential`` do,
    so the server's English message and the page's English rendering of the same sentence agree.
    """
    if value is None or isinstance(value, bool) or not math.isfinite(value):
        return load_messages(language).get("format.undefined", "—")
    if value == 0:
        return "0"
    exact = Decimal(float(value))
    magnitude = abs(float(value))
    if magnitude >= 1e6 or magnitude < 1e-4:
        places = max(0, min(digits, 4) - 1)
        exponent = exact.adjusted()
        mantissa = exact.scaleb(-exponent).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if abs(mantissa) >= 10:
            exponent += 1
            mantissa = exact.scaleb(-exponent).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        head = f"{mantissa:f}"
        if "." in head:
            head = head.rstrip("0").rstrip(".")
        text = f"{head}e{exponent}"
    else:
        rounded = exact.quantize(Decimal(1).scaleb(exact.adjusted() - digits + 1), rounding=ROUND_HALF_UP)
        text = f"{rounded:f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    text = text.replace(".", _decimal_mark(language))
    return "\u2212" + text[1:] if text.startswith("-") else text


def _written(value: Any, digits: str | None, language: str) -> str:
    """One argument as text: a number with a precision through :func:`number`, a list item by item."""
    if isinstance(value, list | tuple):
        separator = load_messages(language).get("text.list_separator", ", ")
        return separator.join(_written(v, digits, language) for v in value)
    if digits is not None and (value is None or (isinstance(value, int | float) and not isinstance(value, bool))):
        return number(value, int(digits) if digits else 6, language)
    return str(value)


def fill(text: str, values: Mapping[str, Any], language: str = DEFAULT_LANGUAGE) -> str:
    """``text`` with ``{name}``, ``{name:.3g}`` and ``{n, plural, ...}`` placeholders filled from ``values``."""

    def choose(match: re.Match[str]) -> str:
        name, body = match.group(1), match.group(2)
        if name not in values:
            return match.group(0)
        n = values[name]
        branches = dict(_BRANCH.findall(body))
        exact = branches.get(f"={n}")
        chosen = exact if exact is not None else branches.get(plural_category(language, float(n)), branches["other"])
        return chosen.replace("#", str(n))

    def put(match: re.Match[str]) -> str:
        name, digits = match.group(1), match.group(2)
        if name not in values:
            return match.group(0)
        return _written(values[name], digits, language)

    return _PLACEHOLDER.sub(put, _PLURAL.sub(choose, text))


def translator(messages: Mapping[str, str], language: str = DEFAULT_LANGUAGE) -> Callable[..., str]:
    """``t("key", name=value)``: the sentence for ``key`` in ``language``, its placeholders filled."""

    def t(key: str, **values: Any) -> str:
        text = messages.get(key)
        if text is None:
            return key  # visible, so a missing key is noticed rather than silently blank
        return fill(text, values, language)

    return t
