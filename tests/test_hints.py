"""Hints for vision drafts and action statements, in English, German and Chinese."""

from __future__ import annotations

import pytest

from workshop.assist import hints


def kinds(found, level=None):
    return {h.kind for h in found if level is None or h.level == level}


def messages(found):
    return " | ".join(h.message() for h in found)


def test_a_clichéd_always_available_vision_is_flagged_on_both_counts():
    found = hints.vision_hints("World-class support 24/7, because the customer is always right!")
    assert {"cliche", "promise"} <= kinds(found, hints.WARN)
    text = messages(found)
    assert "“world-class”" in text and "“the customer is always right”" in text and "“24/7”" in text


def test_a_concrete_customer_vision_draws_no_warning():
    found = hints.vision_hints("When customers talk to us they reach a real person who fixes it the first time.")
    assert kinds(found, hints.WARN) == set()
    assert "customer" in kinds(found, hints.OK)


@pytest.mark.parametrize("text,phrase", [
    ("Der Kunde ist König, und wir sind rund um die Uhr erreichbar.", "rund um die uhr"),
    ("Wir sind jederzeit für Sie da und übertreffen Erwartungen.", "jederzeit"),
    ("客戶永遠是對的，我們全天候立即回應", "全天候"),
])
def test_promises_and_clichés_are_found_in_german_and_chinese(text, phrase):
    found = hints.vision_hints(text)
    assert {"cliche", "promise"} <= kinds(found, hints.WARN)
    assert f"“{phrase}”" in messages(found)


def test_a_vision_that_never_mentions_the_customer_says_so():
    assert "customer" in kinds(hints.vision_hints("We create happiness"), hints.WARN)
    assert "customer" in kinds(hints.vision_hints("Wir schaffen Freude"), hints.WARN)
    assert "customer" in kinds(hints.vision_hints("我們創造快樂"), hints.WARN)
    assert "customer" in kinds(hints.vision_hints("讓每位客戶都感受到真誠"), hints.OK)


def test_each_language_gets_its_own_readability_figure():
    en = hints.vision_hints("We answer fast and we fix it.")
    de = hints.vision_hints("Wir antworten schnell und lösen das Problem beim ersten Mal.")
    zh = hints.vision_hints("讓每位客戶都感受到真誠的人際連結。問題第一次就解決。")
    assert "Reading ease (Flesch)" in messages(en)
    assert "Amstad" in messages(de)
    assert "Characters per sentence: 12" in messages(zh)


def test_readability_formulas_rank_plain_above_convoluted_text():
    plain = "We fix it fast. You get a real person."
    dense = ("Comprehensive organisational responsiveness necessitates institutionalised "
             "multidimensional accountability infrastructures.")
    assert hints.flesch_reading_ease(plain) > 80 > 0 > hints.flesch_reading_ease(dense)
    assert hints.amstad_reading_ease("Wir helfen dir gern.") > hints.amstad_reading_ease(
        "Kundenzufriedenheitsoptimierungsmaßnahmen erfordern Prozessverantwortlichkeiten.")


def test_the_band_agrees_with_the_rounded_score_shown():
    for text in ["Honesty is our policy", "We fix it fast.", "Comprehensive organisational responsiveness."]:
        read = next(h for h in hints.vision_hints(text) if h.kind == "readability")
        value, band = read.params["value"], read.params["band"]
        assert (band == "easy to read") == (value >= 60), (text, value, band)


def test_word_count_counts_characters_for_chinese():
    assert hints.word_count("Do it right the first time") == 6
    assert hints.word_count("第一次就做對", "zh_Hant") == 6
    long_draft = " ".join(["word"] * 40)
    assert "too_long" in kinds(hints.vision_hints(long_draft), hints.WARN)


def test_hint_messages_translate_through_gettext_including_the_band():
    found = hints.vision_hints("We fix it fast.")
    table = {"Reading ease (Flesch): {value} of 100 ({band}).": "Lesbarkeit: {value} ({band}).",
             "easy to read": "leicht lesbar"}
    read = next(h for h in found if h.kind == "readability")
    assert read.message(lambda m: table.get(m, m)).endswith("(leicht lesbar).")


@pytest.mark.parametrize("text", [
    "Say what you mean, mean what you say.", "Do it right the first time", "Treat every customer with urgency",
    "Make customers feel like family", "Give customers the tools to help themselves", "Deliver WOW",
    "Always listen first", "I build strong relationships and create guests for life",
    "Sag, was du meinst", "Beim ersten Mal richtig machen", "Jeden Kunden mit Dringlichkeit behandeln",
    "Ich höre zu, bevor ich antworte",
    "說到做到", "第一次就做對", "以急迫感對待每一位客戶", "我建立長久的關係",
])
def test_action_verbs_and_i_statements_pass(text):
    assert kinds(hints.action_hints(text), hints.WARN) == set()


@pytest.mark.parametrize("text,kind", [
    ("Honesty is our policy", "none"), ("Customers come first", "none"), ("We listen to every customer", "we"),
    ("Ehrlichkeit ist uns wichtig", "none"), ("Wir hören zu", "we"),
    ("Kunden treffen echte Menschen, die zuhören und lösen", "none"),
    ("誠實很重要", "none"), ("我們傾聽客戶", "we"),
])
def test_statements_without_an_action_verb_or_i_are_flagged(text, kind):
    found = hints.action_hints(text)
    assert kinds(found, hints.WARN) == {"action_start"}
    assert ("“we” statement" in found[0].message()) == (kind == "we")


def test_empty_text_has_no_hints():
    assert hints.vision_hints("  ") == [] and hints.action_hints("") == []


def test_the_reading_ease_shown_stays_on_its_0_to_100_scale():
    very_plain = next(h for h in hints.vision_hints("We fix it, and we tell you the truth.") if h.kind == "readability")
    very_dense = next(h for h in hints.vision_hints(
        "Comprehensive organisational responsiveness necessitates institutionalised accountability.")
        if h.kind == "readability")
    assert hints.flesch_reading_ease("We fix it, and we tell you the truth.") > 100  # the formula's own figure
    assert very_plain.params["value"] == 100 and very_dense.params["value"] == 0
