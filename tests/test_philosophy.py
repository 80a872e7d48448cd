"""One philosophy, three renderers: the document, the facilitator's preview and the participants' page.

Each renderer is read back into (purpose sentence, vision, values) and the
three must agree with each other and with ``philosophy.build``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.followup_helpers import VISION, finished_workshop
from workshop.core import phases
from workshop.domain import actionable, grouping, workshops
from workshop.domain.followup import teams
from workshop.i18n import Translator, translator
from workshop.outputs import docformats, document, philosophy
from workshop.outputs.docformats import Heading, Items, Para, Quote, Table
from workshop.widgets.facilitator.base import Console
from workshop.widgets.facilitator.publish import PublishPanel
from workshop.widgets.participant.base import Visitor
from workshop.widgets.participant.philosophy import PhilosophyView

pytestmark = pytest.mark.sqlite_only

ACTIONS = {
    "Honesty": ("Tell customers <what> we know & when.", "Tells the truth, even late.",
                ["Net Promoter Score (NPS)", "QA score"]),
    "Quality": ("Do it right the first time.", "", ["First Contact Resolution (FCR)"]),
    "Speed": ("", "Quick to answer.", []),  # neither action nor metrics yet
}


def workshop(store, *, purpose: str, company: str, title: str = "Zephyr Freight"):
    f = finished_workshop(store, upto=phases.PUBLISHED)
    workshops.update_details(store, f.code, f.key, title=title, company=company, purpose=purpose)
    return f


def actionable_workshop(store, **details):
    f = finished_workshop(store)  # in the actions stage
    for (statement, description, metrics), value_id in zip(ACTIONS.values(), f.value_ids):
        grouping.describe_value(store, f.code, f.key, value_id, description)
        if statement:
            actionable.set_action_statement(store, f.code, f.key, value_id, statement)
        actionable.set_metrics(store, f.code, f.key, value_id, metrics)
    workshops.update_details(store, f.code, f.key, **details)
    return f


# ---- each renderer, read back --------------------------------------------------------------

def from_document(store, code, key, t):
    """(purpose sentence, vision, {name: (description, action, metrics)}) from the document's blocks."""
    blocks = docformats.flatten(document.outline(document.gather(store, code, key, t.lang), t))
    purpose = next((b.text for b in blocks if isinstance(b, Para) and b.lead), "")
    vision = next((b.text for b in blocks if isinstance(b, Quote)), "")
    heads = [i for i, b in enumerate(blocks) if isinstance(b, Heading)]
    at = next(i for i in heads if blocks[i].text == t("Support values"))
    items = blocks[at + 1].items if isinstance(blocks[at + 1], Items) else []
    table = next((b for b in blocks if isinstance(b, Table) and b.header[1:] == [t("Action statement"),
                                                                                 t("Key metrics")]), None)
    rows = {r[0]: r for r in table.rows} if table else {}

    def blank(cell):
        return "" if cell == "–" else cell

    values = {name: (description, blank(rows[name][1]), tuple(filter(None, blank(rows[name][2]).split(", "))))
              for name, description in items}
    return purpose, vision, values


def from_screen(html: str, t: Translator):
    """The same three from a screen's HTML, by its classes."""
    root = ET.fromstring(f"<root>{html}</root>")

    def classes(e):
        return (e.get("class") or "").split()

    def text(e):
        return "".join(e.itertext()).strip() if e is not None else ""

    def first(parent, cls):
        return next((e for e in parent.iter() if cls in classes(e)), None)

    purpose = text(first(root, "ws-purpose"))
    vision = text(first(root, "ws-vision-line")).strip("“”")
    values: dict[str, dict] = {}
    for box in root.iter():
        # A value's box: a list item, a participant's value card or a "how we live it" block.
        if not (box.tag == "li" or {"ws-value", "ws-live-value"} & set(classes(box))):
            continue
        name = first(box, "ws-name")
        v = values.setdefault(text(name), {"description": "", "action": "", "metrics": ()})
        if first(box, "ws-description") is not None:
            v["description"] = text(first(box, "ws-description"))
        if first(box, "ws-action") is not None:
            v["action"] = text(first(box, "ws-action"))
        if first(box, "ws-metrics") is not None:
            line = text(first(box, "ws-metrics")).removeprefix(t("Key metrics:")).strip()
            v["metrics"] = tuple(line.split(", "))
    return purpose, vision, {n: (v["description"], v["action"], v["metrics"]) for n, v in values.items()}


def preview_html(store, code, key, t):
    status = workshops.status(store, code)
    panel = PublishPanel(Console(store, code, key, t), status)
    return panel.doc.value


def participant_html(store, code, token, t):
    status = workshops.status(store, code)
    view = PhilosophyView(Visitor(store, code, token, "Member 1", t), status, final=status.phase == phases.PUBLISHED)
    return view.body.value


def three(store, f, t):
    return {
        "document": from_document(store, f.code, f.key, t),
        "preview": from_screen(preview_html(store, f.code, f.key, t), t),
        "participant": from_screen(participant_html(store, f.code, f.members[0], t), t),
    }


def expected(p: philosophy.Philosophy):
    return (p.purpose_sentence, p.vision,
            {v.name: (v.description, v.action_statement, v.metrics) for v in p.values})


# ---- the same philosophy everywhere -----------------------------------------------------------

@pytest.mark.parametrize("details, sentence", [
    ({"company": "Acme", "purpose": "to keep families connected"},
     "Our purpose at Acme is to keep families connected."),
    ({"company": "Acme", "purpose": "To keep families connected!"},
     "Our purpose at Acme is to keep families connected!"),
    ({"company": "", "title": "Zephyr Freight", "purpose": "keep small shops selling"},
     "Our purpose at Zephyr Freight is to keep small shops selling."),
])
def test_document_preview_and_participant_page_show_the_same_philosophy(store, details, sentence):
    f = actionable_workshop(store, **details)
    t = translator("en")
    p = philosophy.build(store, f.code, t)
    assert p.purpose_sentence == sentence and p.vision == VISION
    assert [v.name for v in p.values] == list(ACTIONS)
    shown = three(store, f, t)
    for renderer, got in shown.items():
        assert got == expected(p), renderer
    # The Markdown, HTML and Word files are written from those blocks; the sentence reads once.
    markdown = document.render_markdown(store, f.code, f.key)
    assert sentence in markdown and "to to" not in markdown.lower()
    for html in (preview_html(store, f.code, f.key, t), participant_html(store, f.code, f.members[0], t)):
        assert "to to" not in html.lower()
        assert "&lt;what&gt; we know &amp; when" in html and "<what>" not in html  # escaped


def test_a_workshop_without_company_or_purpose_yet(store):
    f = workshop(store, purpose="", company="")
    t = translator("en")
    p = philosophy.build(store, f.code, t)
    assert (p.company, p.organisation, p.purpose_sentence) == ("", "Zephyr Freight", "")
    shown = three(store, f, t)
    assert {renderer: got[:2] for renderer, got in shown.items()} == {
        r: ("", VISION) for r in shown}
    assert "Not written yet." in preview_html(store, f.code, f.key, t)
    md = document.render_markdown(store, f.code, f.key)
    assert "## Our purpose\n\n*Not written yet.*" in md
    assert md.startswith("# Our customer service philosophy\n\n## Our purpose")  # no company subtitle


@pytest.mark.parametrize("lang", ["de", "zh_Hant"])
def test_the_three_agree_in_every_language(store, lang):
    f = actionable_workshop(store, company="Acme", purpose="to keep families connected", language=lang)
    t = translator(lang)
    p = philosophy.build(store, f.code)  # the workshop's language by default
    assert p.lang == lang and p.purpose_sentence != philosophy.build(store, f.code, translator("en")).purpose_sentence
    assert "keep families connected" in p.purpose_sentence and "to keep" not in p.purpose_sentence
    for renderer, got in three(store, f, t).items():
        assert got == expected(p), renderer


def test_the_participant_page_needs_no_key_and_lists_team_practices_in_the_model(store):
    f = finished_workshop(store, upto=phases.PUBLISHED)
    teams.set_practice(store, f.code, f.key, f.value_ids[0], "sales", "Quote the full price.", "Bill complaints")
    p = philosophy.build(store, f.code)
    assert p.published and p.lang == "en"
    assert [(x.team, x.key_actions) for x in p.values[0].practices] == [("sales", "Quote the full price.")]
    assert p.values[1].practices == ()
    md = document.render_markdown(store, f.code, f.key)
    assert "| **Sales** | Quote the full price. | Bill complaints |" in md


# ---- the wording rules -------------------------------------------------------------------------

def test_wording_rules():
    en, zh = translator("en"), translator("zh_Hant")
    assert philosophy.sentence("  Keep it  ") == "Keep it."
    assert philosophy.sentence("Keep it?") == "Keep it?"
    assert philosophy.sentence("") == ""
    assert philosophy.purpose_clause("To  keep families connected ") == "keep families connected"
    assert philosophy.purpose_clause("tomorrow's shops") == "tomorrow's shops"  # only the word "to"
    assert philosophy.organisation(" ", "Zephyr Freight") == "Zephyr Freight"
    assert philosophy.purpose_sentence("to help.", "Acme", "T", en) == "Our purpose at Acme is to help."
    assert philosophy.purpose_sentence("  ", "Acme", "T", en) == ""
    assert philosophy.purpose_sentence("讓家人保持聯繫", "Acme", "T", zh) == "Acme 的宗旨是：讓家人保持聯繫。"
