"""German and Traditional Chinese: every message translated, placeholders intact, apps and documents localised."""

from __future__ import annotations

import io
import json
import re
import string

import ipywidgets as w
import pytest
from babel.messages.pofile import read_po

from tests.followup_helpers import finished_workshop
from workshop import i18n
from workshop.core import criteria, phases
from workshop.domain import workshops
from workshop.resources import data_file
from workshop.widgets.sendbutton import SendButton
from workshop.store import Store
from workshop.widgets.participant import ParticipantApp

pytestmark = pytest.mark.sqlite_only

FOREIGN = [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT]
HAN = re.compile(r"[\u4e00-\u9fff]")
# Characters that exist only in simplified Chinese; Taiwan readers expect their traditional forms.
# Metric names German support teams use in English.
KEPT_IN_ENGLISH = {"Customer Effort Score (CES)", "Net Promoter Score (NPS)"}
SIMPLIFIED = set("们这说时个为来对会过还没让给从应种样简体发认识问题设项讨论网络数据")


def catalogue(lang):
    with i18n._po(lang).open("rb") as f:
        return read_po(f, locale=lang)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def texts(widget) -> str:
    """What a visitor can read: HTML, button captions, placeholders and menu choices."""
    out = []

    def walk(x):
        if isinstance(x, w.HTML):
            out.append(x.value)
        elif isinstance(x, (w.Button, SendButton)):
            out.append(x.description)
        elif isinstance(x, w.Text):
            out.append(x.placeholder)
        elif isinstance(x, w.Dropdown):
            out.extend(str(o[0] if isinstance(o, tuple) else o) for o in x.options)
        for child in getattr(x, "children", ()):
            walk(child)

    walk(widget)
    return "\n".join(out)


def join(app: ParticipantApp, name: str) -> None:
    form = app.body.children[0]
    form.name.value = name
    form.button.click()
    assert app.joined is not None, texts(app)


# ---- the catalogues ---------------------------------------------------------------------

@pytest.mark.parametrize("lang", FOREIGN)
def test_every_message_in_the_code_has_a_translation(lang):
    assert i18n.missing(lang) == []


def test_no_message_is_built_at_run_time_inside_a_translation_call():
    assert i18n.unextractable() == []


@pytest.mark.parametrize("lang", FOREIGN)
def test_translations_keep_every_placeholder(lang):
    wrong = []
    for m in catalogue(lang):
        if not m.id:
            continue
        if m.pluralizable:
            if len(m.string) == len(m.id):  # German: singular for singular, plural for plural
                wrong += [(source, form) for source, form in zip(m.id, m.string) if fields(source) != fields(form)]
            else:  # Chinese: one form for every count, so it needs the plural's fields
                wrong += [(m.id, form) for form in m.string
                          if not fields(m.id[1]) <= fields(form) <= fields(m.id[0]) | fields(m.id[1])]
        elif fields(m.id) != fields(m.string):
            wrong.append((m.id, m.string))
    assert wrong == []


def test_plural_forms_follow_each_language():
    de, zh = catalogue("de"), catalogue("zh_Hant")
    assert de.num_plurals == 2 and zh.num_plurals == 1
    assert i18n.Translator("de").ngettext("{n} card", "{n} cards", 1).format(n=1) == "1 Karte"
    assert i18n.Translator("de").ngettext("{n} card", "{n} cards", 3).format(n=3) == "3 Karten"
    assert i18n.Translator("zh_Hant").ngettext("{n} card", "{n} cards", 3).format(n=3) == "3 張卡片"


def test_chinese_is_traditional_and_german_is_not_left_in_english():
    zh = catalogue("zh_Hant")
    simplified = {m.id: sorted(set("".join(m.string if m.pluralizable else [m.string])) & SIMPLIFIED)
                  for m in zh if m.id}
    assert {k: v for k, v in simplified.items() if v} == {}
    untranslated = [m.id for m in catalogue("de") if m.id and not m.pluralizable and m.string == m.id
                    and len(m.id.split()) > 2 and m.id not in KEPT_IN_ENGLISH]
    assert untranslated == []


def test_translation_calls_inside_f_strings_are_extracted():
    # Babel's token-based extractor cannot see into f-strings; these messages once fell through.
    source = b'x = f"<b>{esc(t.ngettext(\'{n} draft\', \'{n} drafts\', n))}</b> {t(\'Hello there\')}"\n'
    found = [m for _, _, m, _ in i18n.extract_python(io.BytesIO(source), i18n.BABEL_KEYWORDS, (), {})]
    assert ("{n} draft", "{n} drafts") in found and "Hello there" in found


def test_criteria_and_the_default_question_are_translated():
    de, zh = i18n.Translator("de"), i18n.Translator("zh_Hant")
    for text in [workshops.DEFAULT_QUESTION, *criteria.TITLES.values(), *criteria.EXPLANATIONS.values()]:
        assert de(text) != text and HAN.search(zh(text)), text
    assert "Kund" in de(workshops.DEFAULT_QUESTION) and "客戶" in zh(workshops.DEFAULT_QUESTION)


# ---- what people see ---------------------------------------------------------------------

@pytest.mark.parametrize("lang, join_button, brainstorm, welcome", [
    ("de", "Beitreten", "Brainstorming", "Willkommen!"),
    ("zh_Hant", "加入", "腦力激盪", "歡迎"),
])
def test_participant_app_speaks_the_workshops_language(store, lang, join_button, brainstorm, welcome):
    created = workshops.create_workshop(store, "Acme", language=lang)
    app = ParticipantApp(store, created.code)
    app.live.stop()
    page = texts(app)
    assert welcome in page and join_button in page and "Join" not in page
    assert i18n.Translator(lang)("Getting ready") in page
    join(app, "Ada")
    workshops.advance(store, created.code, created.key)
    app.live.check_now()
    page = texts(app)
    assert brainstorm in page
    # The default brainstorm question is stored in English and shown in the reader's language.
    assert i18n.Translator(lang)(workshops.DEFAULT_QUESTION) in page
    assert workshops.DEFAULT_QUESTION not in page


def test_each_participant_can_switch_their_own_view(store):
    created = workshops.create_workshop(store, "Acme", language="de")
    mine, theirs = ParticipantApp(store, created.code), ParticipantApp(store, created.code)
    for app in (mine, theirs):
        app.live.stop()
    join(mine, "Ada")
    mine.language.value = "zh_Hant"
    assert "準備中" in texts(mine) and "Vorbereitung" not in texts(mine)
    mine.language.value = "en"
    assert "Getting ready" in texts(mine)
    # The other visitor and the workshop itself keep German.
    assert "Vorbereitung" in texts(theirs)
    assert workshops.status(store, created.code).language == "de"


def test_voting_stage_in_german_and_chinese(store):
    f = finished_workshop(store, upto=phases.DRAFTING)
    workshops.reopen(store, f.code, f.key, phases.VOTING)
    for lang, title in (("de", "Punktabstimmung"), ("zh_Hant", "貼點投票")):
        app = ParticipantApp(store, f.code, lang=lang, token=f.members[0])
        app.live.stop()
        assert title in texts(app)


def test_exported_document_of_a_german_workshop_has_german_headings(store):
    from workshop.outputs import document

    f = finished_workshop(store)
    workshops.update_details(store, f.code, f.key, language="de")
    md = document.render_markdown(store, f.code, f.key)
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings[0] == "# Unsere Kundenservice-Philosophie"
    assert any("Anhang" in h for h in headings)
    assert not any("Our " in h or "Appendix" in h for h in headings), headings
    assert "Brainstorming-Frage" in md and i18n.Translator("de")(workshops.DEFAULT_QUESTION) in md
    zh = document.render_markdown(store, f.code, f.key, lang="zh_Hant")
    assert zh.splitlines()[0] == "# 我們的客戶服務理念"


def test_workshop_new_language_de_creates_a_german_workshop(tmp_path):
    from tests.test_cli import run

    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    info = json.loads(run("new", "Kundenservice", "--language", "de", "--json", "--db", db, home=tmp_path).stdout)
    store = Store(db)
    try:
        assert workshops.status(store, info["code"]).language == "de"
        app = ParticipantApp(store, info["code"])
        app.live.stop()
        assert "Beitreten" in texts(app)
    finally:
        store.engine.dispose()


def test_data_files_carry_every_text_in_all_three_languages():

    gaps = []

    def walk(x, where):
        if isinstance(x, dict) and "en" in x and set(x) <= set(i18n.LANGUAGES):
            for lang in i18n.LANGUAGES:
                if not x.get(lang) or (lang == "zh_Hant" and not HAN.search(json.dumps(x[lang], ensure_ascii=False))):
                    gaps.append(f"{where}.{lang}")
        elif isinstance(x, dict):
            for k, v in x.items():
                walk(v, f"{where}.{k}")
        elif isinstance(x, list):
            for i, v in enumerate(x):
                walk(v, f"{where}[{i}]")

    for name in ("value_lexicon.json", "metrics.json"):
        walk(json.loads(data_file(name).read_text(encoding="utf-8")), name)
    assert gaps == []


@pytest.mark.parametrize("lang, dots, said", [
    ("en", 1, "1 dot on Honesty"), ("en", 2, "2 dots on Honesty"), ("en", 0, "0 dots on Honesty"),
    ("de", 1, "1 Punkt auf Honesty"), ("de", 3, "3 Punkte auf Honesty"),
    ("zh_Hant", 1, "「Honesty」上有 1 點"), ("zh_Hant", 2, "「Honesty」上有 2 點"),
])
def test_the_ballot_says_its_dots_in_the_readers_plural(lang, dots, said):
    from types import SimpleNamespace

    from workshop.widgets.participant.voting import BallotLine

    view = SimpleNamespace(t=i18n.translator(lang))
    line = BallotLine(view, SimpleNamespace(value_id=1, name="Honesty", description="", my_dots=dots))
    assert f'aria-label="{said}"' in line.dots.value and f'data-dots="{dots}"' in line.dots.value
