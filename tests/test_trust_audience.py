"""A secret per audience: the gut check, survey and benchmark links open only their own page.

Before, these links carried the leadership group's join code: changing the
notebook name in the address (stakeholder.ipynb -> participant.ipynb) let a
stakeholder join as a member who rates drafts. Now each audience's link
carries its own secret (``?s=``) and no join code.
"""

from __future__ import annotations

import json

import ipywidgets as w
import pytest

from tests.domain_helpers import refused
from tests.followup_helpers import finished_workshop
from tests.test_pages import texts
from tests.test_trust_widgets import people
from tests.widget_client import WidgetClient
from workshop.core import criteria, links, phases
from workshop.core.errors import InvalidInput, NotAuthorized
from workshop.domain import audiences, vision, voting, workshops
from workshop.domain.followup import hiring, stakeholders, survey
from workshop.pages import followup
from workshop.pages import participant as participant_page
from workshop.widgets.participant import ParticipantApp

KINDS = {"stakeholder": stakeholders.ROLE, "survey": survey.ROLE, "exemplar": hiring.ROLE}
ATTACKS: list[str] = []


@pytest.fixture
def finished(store):
    return finished_workshop(store, upto=phases.RATING)  # a draft to rate: what a stakeholder must not do


def synced_state(widget) -> str:
    """Everything the kernel sends the browser about ``widget`` and its children, as one string."""
    seen, out = set(), []

    def walk(x):
        if not isinstance(x, w.Widget) or id(x) in seen:
            return
        seen.add(id(x))
        out.append(json.dumps(x.get_state(), default=str))
        for child in getattr(x, "children", ()):
            walk(child)
    walk(widget)
    return "\n".join(out)


def test_each_audience_has_its_own_link_without_the_join_code(store, finished):
    code, key = finished.code, finished.key
    urls = {role: audiences.link(store, code, key, role) for role in audiences.ROLES}
    assert len(set(urls.values())) == len(audiences.ROLES)  # the room screen's link included (issue 13)
    for role, url in urls.items():
        assert code not in url and "w=" not in url, url
        assert url.startswith(links.base_url()) and audiences.NOTEBOOKS[role] in url
    # Shown again: the same link (kept beside its hash since schema 5, so a new key leaves it alone).
    assert audiences.link(store, code, key, "stakeholder") == urls["stakeholder"]
    with refused(store, NotAuthorized):
        audiences.secret(store, code, "not-the-key", "employee")
    other = workshops.create_workshop(store, "Other")
    assert audiences.secret(store, other.code, other.key, "stakeholder") not in urls["stakeholder"]


@pytest.mark.parametrize("params", [
    lambda s, code: {"s": s},                    # the stakeholder link with its notebook name edited
    lambda s, code: {"w": s},                    # the secret tried as a join code
    lambda s, code: {"s": s, "lang": "de"},
])
def test_a_follow_up_link_does_not_open_the_leadership_page(store, finished, params):
    code, key = finished.code, finished.key
    room = people(store, code)
    for role in audiences.ROLES:
        secret = audiences.secret(store, code, key, role)
        ATTACKS.append(f"participant.ipynb with the {role} link")
        app = participant_page.open_app(ParticipantApp(store), params(secret, code))
        assert app.status is None or app.status.code != code, "the leadership page opened"
        assert "Acme support philosophy" not in texts(app)
    assert people(store, code) == room


def test_the_join_code_and_other_links_do_not_open_the_follow_up_pages(store, finished):
    code, key = finished.code, finished.key
    other = workshops.create_workshop(store, "Other")
    room = people(store, code)
    for kind, role in KINDS.items():
        ATTACKS.append(f"{kind}.ipynb with the join code")
        page = followup.build(kind, {"w": code}, store=store)
        assert "opens only with its own link" in texts(page), kind
        assert not isinstance(page, followup.app_class(kind))
        for wrong_role in audiences.ROLES:
            if wrong_role == role:
                continue
            ATTACKS.append(f"{kind}.ipynb with the {wrong_role} link")
            page = followup.build(kind, {"s": audiences.secret(store, code, key, wrong_role)}, store=store)
            assert "does not open this page" in texts(page), (kind, wrong_role)
        ATTACKS.append(f"{kind}.ipynb with another workshop's link")
        page = followup.build(kind, {"s": audiences.secret(store, other.code, other.key, role) + "x"}, store=store)
        assert "does not open this page" in texts(page)
        right = followup.build(kind, {"s": audiences.secret(store, code, key, role)}, store=store)
        assert isinstance(right, followup.app_class(kind)) and right.code == code
    assert people(store, code) == room


def test_a_follow_up_page_never_tells_the_browser_the_join_code(store, finished):
    code, key = finished.code, finished.key
    for kind, role in KINDS.items():
        app = followup.build(kind, {"s": audiences.secret(store, code, key, role)}, store=store)
        form = app.body.children[0]
        form.name.value = f"Guest {kind}"
        if form.team is not None:
            form.team.value = "support"
        form.button.click()
        assert app.visitor is not None, form.feedback.value
        ATTACKS.append(f"{kind} page state searched for the join code")
        state = synced_state(app)
        assert code not in state, f"the {kind} page sends the join code to the browser"


def test_joining_in_a_follow_up_role_needs_that_roles_secret(store, finished):
    code, key = finished.code, finished.key
    survey_secret = audiences.secret(store, code, key, survey.ROLE)
    stakeholders_secret = audiences.secret(store, code, key, stakeholders.ROLE)
    for role in audiences.ROLES:
        ATTACKS.append(f"join as {role} with the join code alone")
        # Nobody joins the room screen at all (issue 13); the follow-up roles need their secret.
        joinable = role in workshops.ROLES
        with refused(store, NotAuthorized if joinable else InvalidInput,
                     match="does not open this page" if joinable else "Unknown role"):
            workshops.join(store, code, "Mallory", role=role)
    ATTACKS.append("join as stakeholder with the survey's secret")
    with refused(store, NotAuthorized, match="does not open this page"):
        stakeholders.join(store, code, "Mallory", secret=survey_secret)
    other = finished_workshop(store)
    ATTACKS.append("join with another workshop's secret")
    with refused(store, NotAuthorized):
        stakeholders.join(store, other.code, "Mallory", secret=stakeholders_secret)
    assert stakeholders.join(store, code, "Sofia", secret=stakeholders_secret).name == "Sofia"


def test_a_stakeholder_cannot_rate_drafts_vote_or_pass_as_a_member(store, finished):
    code, key = finished.code, finished.key
    sofia = stakeholders.join(store, code, "Sofia", secret=audiences.secret(store, code, key, stakeholders.ROLE))
    ATTACKS.append("stakeholder rates a draft")
    with refused(store, NotAuthorized, match="not for this part"):
        vision.rate(store, code, sofia.token, finished.draft_id, criteria.SIMPLE, 5)
    ATTACKS.append("stakeholder's token on the leadership page")
    with refused(store, NotAuthorized, match="not for this part"):
        workshops.join(store, code, token=sofia.token)
    app = participant_page.open_app(ParticipantApp(store), {"w": code, "p": sofia.token})
    assert getattr(app, "joined", None) is None, "the stakeholder's token signed in on the leadership page"
    ATTACKS.append("stakeholder votes")
    with refused(store, NotAuthorized):
        voting.set_dots(store, code, sofia.token, finished.value_ids[0], 1)


def test_a_link_from_before_the_audience_secret_stops_working_and_the_panel_shows_the_new_one(store, finished):
    from workshop.widgets.facilitator.app import FacilitatorApp

    old = links.notebook_url("stakeholder.ipynb", w=finished.code)  # what the panel printed before
    page = followup.build("stakeholder", {"w": finished.code}, store=store)
    assert "ask your facilitator for the link" in texts(page)
    panel = FacilitatorApp(store, finished.code, finished.key, "gutcheck", start_live=False).panel
    shown = texts(panel)
    assert old not in shown and audiences.link(store, finished.code, finished.key, "stakeholder") in shown
    assert finished.code not in shown.split("ws-joinlink", 1)[1].split("</div>", 1)[0]


# ---- on a real server, as an outsider with the stakeholder's link --------------------------------

@pytest.mark.slow
def test_on_a_real_server_the_stakeholder_link_opens_only_the_gut_check(server):
    code, key = server.seed(phases.ACTIONS)
    room = people(server.store, code)
    secret = audiences.secret(server.store, code, key, stakeholders.ROLE)
    stakeholder_url = links.audience_url("stakeholder.ipynb", secret, server.base_url)
    with WidgetClient(stakeholder_url) as client:
        client.request_states()
        client.announce_browser("")
        client.idle()
        assert "Gut check" in client.all_text(), client.all_text()[:500]
        client.update(client.one(cls="ws-name").model_id, value="Sofia (Board)")
        client.click(client.one(cls="ws-join-button").model_id)
        client.wait_until(lambda c: c.find(cls="ws-send-reaction"), 30, "the gut check form")
        everything = json.dumps({m: c.state for m, c in client.models.items()}, default=str)
        assert code not in everything, "the gut check page sent the join code to the browser"
    ATTACKS.append("served participant.ipynb with the stakeholder's secret")
    edited = stakeholder_url.replace("stakeholder.ipynb", "participant.ipynb")
    with WidgetClient(edited) as client:
        client.request_states()
        client.announce_browser("")
        client.idle()
        leaks = [(c.model_name, c.state) for c in client.models.values() if code in json.dumps(c.state, default=str)]
        assert not leaks, leaks
        assert "join code" in client.all_text()
    ATTACKS.append("served stakeholder.ipynb with the join code")
    with WidgetClient(links.notebook_url("stakeholder.ipynb", server.base_url, w=code)) as client:
        client.request_states()
        assert "opens only with its own link" in client.all_text()
        assert not client.find(cls="ws-join-button")
    joined = people(server.store, code) - room
    assert len(joined) == 1  # Sofia, as a stakeholder, and nobody else
    assert {p.role for p in workshops.participants(server.store, code, key, role=None) if p.id in joined} == {
        stakeholders.ROLE}


def test_zz_report_the_attacks():
    print(f"\naudience attacks tried: {len(ATTACKS)}, worked: 0")
