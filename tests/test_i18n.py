"""Which language a page speaks, and sentences with each language's plural forms."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.i18n import choose_language, fill, from_accept_language

STEPS = "{n, plural, one {# шаг} few {# шага} many {# шагов} other {# шага}}"


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "1 шаг"), (3, "3 шага"), (5, "5 шагов"), (11, "11 шагов"), (21, "21 шаг"), (22, "22 шага"), (1.5, "1.5 шага")],
)
def test_russian_counts_take_the_form_russian_grammar_asks_for(n: float, expected: str) -> None:
    assert fill(STEPS, {"n": n}, "ru") == expected


def test_polish_and_english_plurals_and_an_exact_match() -> None:
    polish = "{n, plural, one {# krok} few {# kroki} many {# kroków} other {# kroku}}"
    assert [fill(polish, {"n": n}, "pl") for n in (1, 2, 5, 22, 25)] == [
        "1 krok",
        "2 kroki",
        "5 kroków",
        "22 kroki",
        "25 kroków",
    ]
    english = "{n, plural, =0 {no steps} one {# step} other {# steps}} left, {who}"
    assert fill(english, {"n": 0, "who": "Adam"}, "en") == "no steps left, Adam"
    assert fill(english, {"n": 1, "who": "Adam"}, "en") == "1 step left, Adam"
    assert fill("{n, plural, other {# 步}}", {"n": 3}, "zh-TW") == "3 步"


def test_the_link_beats_the_saved_choice_which_beats_the_browser() -> None:
    assert choose_language("pl", "ru", "zh-TW") == "pl"
    assert choose_language(None, "ru", "zh-TW") == "ru"
    assert choose_language(None, None, "zh-TW,zh;q=0.9") == "zh-TW"
    assert choose_language("xx", "yy", "de-DE,de;q=0.9") == "en"
    assert from_accept_language("de;q=1, pl;q=0.3, ru;q=0.8") == "ru"
    assert from_accept_language("zh-Hant-HK") == "zh-TW"
    assert from_accept_language("ru;q=0, en;q=0.1") == "en"
    assert from_accept_language("pl;q=abc, en") == "en"


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


@pytest.mark.parametrize("path", ["/", "/1d", "/2d", "/network"])
def test_every_page_says_its_language_to_screen_readers_and_caches(client: TestClient, path: str) -> None:
    answer = client.get(f"{path}?lang=pl", headers={"accept-language": "ru"})
    assert _lang(answer.text) == "pl"
    assert answer.headers["content-language"] == "pl"
    assert "Accept-Language" in answer.headers["vary"]
    client.cookies.set("hillside_lang", "ru")
    assert _lang(client.get(path).text) == "ru"
    client.cookies.clear()
    assert _lang(client.get(path, headers={"accept-language": "zh-TW,zh;q=0.8"}).text) == "zh-TW"
    assert _lang(client.get(path).text) == "en"


def test_the_language_menu_names_each_language_in_itself(client: TestClient) -> None:
    html = client.get("/1d").text
    menu = re.search(r'<select id="language".*?</select>', html, re.S).group(0)
    for code, name in [("en", "English"), ("ru", "Русский"), ("zh-TW", "繁體中文"), ("pl", "Polski")]:
        assert re.search(rf'<option value="{code}" lang="{code}"[^>]*>{name}</option>', menu)


def test_the_catalogue_carries_every_name_and_description_the_api_serves(client: TestClient) -> None:
    """The pages show these from the message catalogue (so they can be translated): it must say what the API says."""
    from app.i18n import load_messages

    english = load_messages("en")
    for f in client.get("/api/v1/functions").json():
        assert english[f"function.{f['id']}.name"] == f["name"]
        assert english[f"function.{f['id']}.description"] == f["description"]
    for o in client.get("/api/v1/optimizers").json():
        assert english[f"optimizer.{o['id']}.name"] == o["name"]
        assert english[f"optimizer.{o['id']}.description"] == o["description"]
        for h in o["hyperparameters"]:
            assert english[f"optimizer.{o['id']}.hp.{h['name']}"] == h["description"]
