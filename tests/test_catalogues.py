"""Every language Hillside ships is complete: the same keys as English, the same placeholders, valid plurals."""

from __future__ import annotations

import json
import re

import pytest

from app.i18n import LANGUAGES, MESSAGES_DIR, fill

ENGLISH = json.loads((MESSAGES_DIR / "en.json").read_text(encoding="utf-8"))
PLACEHOLDER = re.compile(r"\{(\w+)(?:, plural,|[:}])")
OTHER_LANGUAGES = [code for code in LANGUAGES if code != "en"]


def _catalogue(code: str) -> dict[str, str]:
    return json.loads((MESSAGES_DIR / f"{code}.json").read_text(encoding="utf-8"))


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
def test_every_language_has_every_key_of_english_and_no_other(code: str) -> None:
    catalogue = _catalogue(code)
    assert sorted(set(ENGLISH) - set(catalogue)) == [], f"{LANGUAGES[code]} lacks these keys"
    assert sorted(set(catalogue) - set(ENGLISH)) == [], f"{LANGUAGES[code]} has keys English does not"


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
def test_every_translation_fills_the_same_placeholders(code: str) -> None:
    catalogue = _catalogue(code)
    wrong = {
        k: (sorted(_placeholders(v)), sorted(_placeholders(catalogue[k])))
        for k, v in ENGLISH.items()
        if k in catalogue and _placeholders(v) != _placeholders(catalogue[k])
    }
    assert wrong == {}


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_every_sentence_renders_with_every_count(code: str) -> None:
    """Plural blocks parse, and every category the language uses is covered (Russian 1, 3, 5, 21, 1.5...)."""
    catalogue = ENGLISH if code == "en" else _catalogue(code)
    for key, text in catalogue.items():
        names = _placeholders(text)
        for n in (0, 1, 2, 3, 5, 11, 21, 22, 1.5):
            rendered = fill(text, {name: n for name in names}, code)
            assert "plural," not in rendered, f"{code} {key}: a plural block did not render for {n}"
            assert not re.search(r"\{\w+\}", rendered), f"{code} {key}: a placeholder was left for {n}"


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
def test_translations_are_not_english_left_in_place(code: str) -> None:
    catalogue = _catalogue(code)
    same = [k for k, v in ENGLISH.items() if catalogue.get(k) == v and re.search(r"[a-z]{4,} [a-z]{4,}", v)]
    assert same == [], f"{LANGUAGES[code]} keeps these English sentences"


# ----- no sentence outside the catalogue -------------------------------------------------------------------------

ROOT = MESSAGES_DIR.parents[1]
WORDS = re.compile(r"[A-Za-z]{2,}(?:\s+[A-Za-z]{2,}){2,}")  # three words in a row: a sentence, not an identifier


def _js_strings(source: str) -> list[tuple[str, str]]:
    """Every string literal of a script with the 40 characters before it (comments stripped first)."""
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    source = re.sub(r"(?m)^\s*//.*$", "", source)
    found = []
    for m in re.finditer(r"\"((?:[^\"\\\n]|\\.)*)\"|'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`", source):
        found.append((m.group(1) or m.group(2) or m.group(3) or "", source[max(0, m.start() - 40) : m.start()]))
    return found


def test_no_script_writes_a_sentence_of_its_own() -> None:
    """Words a user reads come from the catalogue: a script holds keys, not English (console messages aside)."""
    stray = []
    for path in sorted((ROOT / "static" / "js").rglob("*.js")):
        for text, before in _js_strings(path.read_text(encoding="utf-8")):
            bare = re.sub(r"\$\{[^}]*\}", " ", text)
            if WORDS.search(bare) and "console." not in before and "class" not in before:
                stray.append(f"{path.relative_to(ROOT)}: {text[:60]!r}")
    assert stray == []


def test_no_template_writes_a_sentence_of_its_own() -> None:
    stray = []
    for path in sorted((ROOT / "templates").glob("*.html")):
        text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", path.read_text(encoding="utf-8"), flags=re.S)
        text = re.sub(r"<script\b[^>]*>.*?</script>|<style\b.*?</style>|<kbd>.*?</kbd>", " ", text, flags=re.S)
        for attribute in re.findall(r"\b(?:title|alt|aria-label|placeholder)=\"([^\"]*)\"", text):
            if re.search(r"[A-Za-z]{2,}", attribute):
                stray.append(f"{path.name}: attribute {attribute!r}")
        for chunk in re.split(r"\s{2,}|\n", re.sub(r"<[^>]*>", " ", text)):
            if re.search(r"[A-Za-z]{2,}", chunk):
                stray.append(f"{path.name}: text {chunk.strip()!r}")
    assert stray == []
