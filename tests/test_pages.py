"""The pages the notebooks call: what a visitor sees when the link carries no workshop, or a wrong one."""

from __future__ import annotations

import ipywidgets as w

from workshop.core import credentials
from workshop.domain import workshops
from workshop.pages import followup
from workshop.pages import participant as page
from workshop.widgets.participant import ParticipantApp


def texts(widget) -> str:
    out = []

    def walk(x):
        if isinstance(x, w.HTML):
            out.append(x.value)
        for child in getattr(x, "children", ()):
            walk(child)
    walk(widget)
    return "\n".join(out)


def test_participant_page_without_a_link_asks_for_the_code_and_seeds_no_demo(store, created):
    code, _key = created
    before = workshops.list_workshops(store)
    app = page.open_app(ParticipantApp(store), {})
    assert app.status is None
    [entry] = app.body.children
    assert "join code" in texts(entry)
    entry.code.value = "NOPE99"
    entry.button.click()
    assert "There is no workshop with the code NOPE99" in entry.feedback.value
    entry.code.value = credentials.format_code(code).lower()
    entry.button.click()
    assert app.status is not None and app.status.code == code
    assert app.body.children == (app.join_form,) and not app.join_form.button.disabled
    assert workshops.list_workshops(store) == before


def test_follow_up_pages_without_a_link_say_so_and_seed_no_demo(store, created):
    before = workshops.list_workshops(store)
    for kind in ("stakeholder", "survey", "exemplar"):
        shown = followup.build(kind, {}, store=store)
        assert "Open this page with the link you were sent." in texts(shown), kind
        shown = followup.build(kind, {"w": "NOPE99"}, store=store)  # a join code never opens them
        assert "opens only with its own link" in texts(shown), kind
        shown = followup.build(kind, {"s": "NOPE99"}, store=store)
        assert "does not open this page" in texts(shown), kind
    assert workshops.list_workshops(store) == before
