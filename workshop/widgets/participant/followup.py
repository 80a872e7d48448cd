"""The shell of the follow-up apps (gut check, survey, benchmark): join in one role, then one view.

People reach these from their own link, long after the workshop; they join
with a name (and a team where it matters), and their browser remembers them
separately for each role, so a workshop member can also take the survey.
"""

from __future__ import annotations

import ipywidgets as w
import traitlets

from workshop.core import credentials
from workshop.domain import workshops
from workshop.domain.followup import teams
from workshop.i18n import Translator
from workshop.store import Store
from workshop.widgets.address import AddressBar
from workshop.widgets.identity import IdentityKeeper
from workshop.widgets.kit import Feedback, esc, labelled, run_action, static_text, style
from workshop.widgets.participant.base import Visitor, full_width
from workshop.widgets.requests import Gestures
from workshop.widgets.sendbutton import SendButton
from workshop.widgets.shell import VisitorShell

CSS = f"<style>\n{static_text('followup.css')}</style>"


def team_options(t: Translator, blank: str | None = None) -> list[tuple[str, str]]:
    options = [(t(teams.TITLES[team]), team) for team in teams.TEAMS]
    return ([(blank, "")] if blank is not None else []) + options


class AudienceIdentity(IdentityKeeper):
    """Remembers the visitor under their link's secret, never under the workshop's join code:
    the browser of someone outside the leadership group never learns that code."""

    def __init__(self, audience_secret: str, role: str):
        self._key = f"{role}:{credentials.digest(audience_secret)[:24]}"
        super().__init__(code="")

    @traitlets.validate("code")
    def _only_the_audience(self, proposal):
        return self._key if proposal["value"] else ""


class FollowUpJoin(w.VBox):
    """Name (unless anonymous) and, for some roles, a team."""

    def __init__(self, app: "FollowUpApp"):
        super().__init__()
        self.app = app
        t, status = app.t, app.status
        self.add_class("ws-join")
        self.feedback = Feedback()
        self.name = None
        fields: list[w.Widget] = [w.HTML(f"<p>{esc(t(app.welcome))}</p>")]
        if status.anonymous:
            fields.append(w.HTML(f"<p>{esc(t('This workshop is anonymous: nobody will see who wrote what.'))}</p>"))
        else:
            self.name = labelled(full_width(w.Text(continuous_update=False)), t("Your name"))
            self.name.add_class("ws-name")
            fields.append(self.name)
        self.team = None
        if app.asks_team:
            blank = t("Your team") if app.team_required else t("Your team (optional)")
            # Named by a visible label, in the reader's language (the blank option is no name).
            self.team = w.Dropdown(options=team_options(t, blank), value="", description=t("Team"),
                                   style={"description_width": "initial"}, layout=w.Layout(width="100%"))
            self.team.add_class("ws-team")
            fields.append(self.team)
        # The name goes with the click, and Enter in the name box joins too (see SendButton).
        self.button = SendButton([self.name] if self.name is not None else [], t("Join"),
                                 button_style="primary", submit_on_enter=True)
        self.button.add_class("ws-join-button")
        self.button.on_click(lambda _: self._join())
        self.children = [*fields, self.button, self.feedback]
        self.gestures = Gestures()

    def _join(self) -> None:
        self.button.disabled = True
        inputs = (self.name.value if self.name is not None else None,
                  self.team.value if self.team is not None else "")
        try:
            # A retried click (the database did not answer) carries the same request id: one participant.
            joined = run_action(self.feedback, self.app.t, self.app.join_once, self.app.join, *inputs,
                                request_id=self.gestures.id_for(*inputs))
        finally:
            self.button.disabled = False
        if joined is not None:
            self.gestures.done(*inputs)
            self.app.enter(joined)


class FollowUpApp(VisitorShell):
    """Subclasses set the role's texts and provide ``join``, ``check`` and ``make_view``."""

    role = ""
    title = ""
    welcome = ""
    asks_team = False
    team_required = False
    #: Seconds between looks at the workshop; None for no live updates (the survey: 100 people).
    live_interval: float | None = 2.0

    def __init__(self, store: Store, code: str, lang: str | None = None, token: str | None = None,
                 secret: str = ""):
        super().__init__(store, lang)
        self.add_class("ws-followup")
        self.identity_scope = self.role
        #: The audience secret of the link (pages/followup.py found ``code`` from it).
        self.secret = secret
        self.identity.unobserve(self._identity_ready, "ready")
        self.identity.close()
        self.identity = AudienceIdentity(secret, self.role)
        self.identity.observe(self._identity_ready, "ready")
        self.visitor: Visitor | None = None
        self.view = None
        self.heading = w.HTML()
        self.who = w.HTML()
        self.body = w.VBox()
        header = w.HBox([self.heading, self.language], layout=w.Layout(
            justify_content="space-between", align_items="center", flex_flow="row wrap", width="100%"))
        self.children = [style(), w.HTML(CSS), header, self.who, self.body, self.identity, self.page]
        self.children += (AddressBar(after=self.identity),)  # the token out of the address bar
        self.open_workshop(code, lang=lang)
        self._paint()
        if token:
            self._try_token(token, from_link=True)

    # ---- to be provided by each app ---------------------------------------------------
    def join(self, name: str | None, team: str, request_id: str | None = None):
        """Join in this app's role with the link's ``self.secret``."""
        raise NotImplementedError

    def check(self, token: str) -> None:
        """Raise NotAuthorized unless ``token`` belongs to this app's role."""
        raise NotImplementedError

    def make_view(self) -> w.Widget:
        raise NotImplementedError

    # ---- identity -------------------------------------------------------------------
    @property
    def is_signed_in(self) -> bool:
        return self.visitor is not None

    def recognise(self, token: str):
        self.check(token)
        return workshops.whoami(self.store, self.code, token)

    def signed_in(self, joined) -> None:
        self.enter(joined)

    def enter(self, joined) -> None:
        """Show the page to ``joined`` (``workshops.Joined``), who has just joined or come back."""
        if self.visitor is not None and self.visitor.token != joined.token:
            return  # one page, one person: never a second identity
        self.identity.remember(joined.token)
        self.visitor = Visitor(self.store, self.code, joined.token, joined.name, self.t, page=self.page)
        self.follow(joined.participant_id)
        self._show_view()
        self.start_live()
        self.page.focus(".ws-followup .ws-stage-heading")  # joined: on to the page's heading

    def _show_view(self) -> None:
        self._paint()
        self.view = self.make_view()
        self.view.add_class("ws-followup-view")
        self.body.children = [self.view]

    # ---- updates ------------------------------------------------------------------------
    def changed(self) -> None:
        self.status = workshops.status(self.store, self.code)
        if self.view is not None and hasattr(self.view, "refresh"):
            self.view.refresh(self.status)

    def _paint(self) -> None:
        t = self.t
        # h1 the workshop, h2 this page (where focus lands after joining).
        self.heading.value = (f'<h1 class="ws-muted ws-workshop-title">{esc(self.status.title)}</h1>'
                              f'<h2 class="ws-title ws-stage-heading" tabindex="-1">{esc(t(self.title))}</h2>')
        self.page.set_title(t(self.title), self.status.title)
        if self.visitor is not None:
            self.who.value = f'<span class="ws-muted">{esc(t("You are {name}").format(name=self.visitor.name))}</span>'
        else:
            self.join_form = FollowUpJoin(self)
            self.body.children = [self.join_form]

    def link_refused(self, err) -> None:
        """A personal link that names nobody: said above the form to join afresh."""
        self.join_form.feedback.error(err.localized(self.t))

    def language_changed(self) -> None:
        if self.visitor is not None:
            self.visitor.t = self.t
            self._show_view()
        else:
            self._paint()
