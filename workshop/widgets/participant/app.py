"""The participant app shell: join, then always show the workshop's current stage."""

from __future__ import annotations

import ipywidgets as w

from workshop.core import links, phases
from workshop.core.errors import WorkshopError
from workshop.domain import workshops
from workshop.i18n import LANGUAGES, translator
from workshop.store import Store
from workshop.widgets.countdown import Countdown
from workshop.widgets.identity import IdentityKeeper
from workshop.widgets.kit import esc, style
from workshop.widgets.live import Live
from workshop.widgets.participant.base import Visitor
from workshop.widgets.participant.board import BoardView
from workshop.widgets.participant.brainstorm import BrainstormView
from workshop.widgets.participant.drafting import DraftingView
from workshop.widgets.participant.join import JoinForm
from workshop.widgets.participant.philosophy import PhilosophyView, WaitingView
from workshop.widgets.participant.rating import RatingView
from workshop.widgets.participant.voting import VotingView

VIEWS = {
    phases.SETUP: WaitingView,
    phases.BRAINSTORM: BrainstormView,
    phases.GROUPING: BoardView,
    phases.VOTING: VotingView,
    phases.DRAFTING: DraftingView,
    phases.RATING: RatingView,
    phases.ACTIONS: lambda v, s: PhilosophyView(v, s, final=False),
    phases.PUBLISHED: lambda v, s: PhilosophyView(v, s, final=True),
}

#: How often a participant's page looks for changes. Half a second keeps every stage switch
#: well within a second, and costs a room of 100 half the database reads of the facilitator's
#: quarter second (the facilitator's screen is the one that must show each click at once).
LIVE_INTERVAL = 0.5

#: Seconds between "still here" marks, which feed the facilitator's list of who is online.
PRESENCE_EVERY = 20

#: The participant's screen is often a phone: text that wraps needs ordinary line spacing
#: (ipywidgets sets 28px for one-line labels), a long personal link must wrap, and a
#: card's buttons go under the card rather than one beside it and one below.
PARTICIPANT_STYLE = """<style>
.ws-participant .widget-html-content { line-height: 1.45; }
.ws-participant .ws-personal-link { overflow-wrap: anywhere; word-break: break-all; }
.ws-participant .widget-textarea, .ws-participant .widget-text {
  max-width: calc(100% - 2 * var(--jp-widgets-margin, 2px)); }
@media (max-width: 600px) {
  .ws-participant .ws-row > .ws-grow { flex-basis: 100%; }
}
</style>"""


class ParticipantApp(w.VBox):
    """One participant's page. Built in two steps so a preheated kernel does the costly
    part before anyone arrives: ``ParticipantApp(store)`` makes every widget of the first
    screen; ``load_workshop(code)`` (when the visitor's link is known) fills in their workshop by
    changing a few values. ``ParticipantApp(store, code)`` does both at once."""

    def __init__(self, store: Store, code: str | None = None, lang: str | None = None,
                 token: str | None = None, live_interval: float = LIVE_INTERVAL):
        super().__init__()
        self.add_class("ws-app")
        self.add_class("ws-participant")
        self.store = store
        self.code = ""
        self.status: workshops.Status | None = None
        self.t = translator(lang)
        self.joined: workshops.Joined | None = None
        self.view = None
        self.phase = None
        self._ticks = 0
        self.live_interval = live_interval
        self.live: Live | None = None

        self.title = w.HTML()
        self.stage = w.HTML()
        self.stage.add_class("ws-stage-title")
        self.who = w.HTML()
        self.language = w.Dropdown(options=[(name, code) for code, name in LANGUAGES.items()],
                                   value=self.t.lang, layout=w.Layout(width="9em"))
        self.language.observe(self._language, "value")
        self.countdown = Countdown()
        self.banner = w.HTML()
        self.body = w.VBox()
        self.footer = w.HTML()
        self.identity = IdentityKeeper()
        self.identity.observe(self._identity_ready, "ready")
        header = w.HBox([self.title, self.countdown, self.language],
                        layout=w.Layout(justify_content="space-between", align_items="center",
                                        flex_flow="row wrap", width="100%"))
        self.join_form = JoinForm(store, None, self.t, self._enter)
        self.body.children = [self.join_form]
        self.children = [style(), w.HTML(PARTICIPANT_STYLE), header, w.HBox([self.stage, self.who],
                         layout=w.Layout(justify_content="space-between", flex_flow="row wrap")),
                         self.banner, self.body, self.footer, self.identity]
        if code is not None:
            self.load_workshop(code, lang=lang, token=token)

    def load_workshop(self, code: str, lang: str | None = None, token: str | None = None) -> None:
        """Show the workshop ``code`` (raises NotFound, or NotAuthorized while codes are being guessed)."""
        self.code = workshops.normalize_code(code)
        self.status = workshops.enter(self.store, self.code)
        self.t = translator(lang or self.status.language)
        self.live = Live(self.store, self.code, interval=self.live_interval)
        self.live.on_change(self._changed)
        self.live.on_connection(self._connection)
        self.live.on_tick(self._tick)
        self._set_language_menu(self.t.lang)
        self._paint_header()
        self.join_form.configure(self.status, self.t)
        # The browser reads the remembered token once it knows the workshop (see IdentityKeeper).
        self.identity.code = self.code
        if token:
            self._try_token(token)
        elif self.identity.ready and self.identity.token:
            self._try_token(self.identity.token)

    def show_problem(self, title: str, message: str) -> None:
        """Instead of the join form: why this link opens nothing."""
        self.title.value = f'<div class="ws-title">{esc(title)}</div>'
        self.body.children = [w.HTML(f"<p>{esc(message)}</p>")]
        self.language.layout.display = "none"

    def _set_language_menu(self, lang: str) -> None:
        self.language.unobserve(self._language, "value")
        self.language.value = lang
        self.language.observe(self._language, "value")

    # ---- identity ------------------------------------------------------------------
    def _identity_ready(self, change) -> None:
        if change["new"] and self.status is not None and self.joined is None and self.identity.token:
            self._try_token(self.identity.token)

    def _try_token(self, token: str) -> None:
        try:
            joined = workshops.join(self.store, self.code, token=token)
        except WorkshopError:
            return
        if joined.rejoined:
            self._enter(joined)

    def _enter(self, joined: workshops.Joined) -> None:
        self.joined = joined
        self.identity.remember(joined.token)
        self.visitor = Visitor(self.store, self.code, joined.token, joined.name, self.t)
        personal = links.notebook_url(links.PARTICIPANT_NOTEBOOK, w=self.code, p=joined.token)
        self.footer.value = (f'<details class="ws-muted"><summary>{esc(self.t("Continue on another device"))}'
                             f'</summary><p>{esc(self.t("Open this personal link there (keep it to yourself):"))}'
                             f'<br><code class="ws-personal-link">{esc(personal)}</code></p></details>')
        self.phase = None
        self._changed()
        self.live.revision = self.status.revision
        self.live.start()

    # ---- live updates ------------------------------------------------------------------
    def _changed(self) -> None:
        self.status = workshops.status(self.store, self.code)
        self._paint_header()
        if self.joined is None:
            return
        if self.status.phase != self.phase:
            self.phase = self.status.phase
            self.view = VIEWS[self.phase](self.visitor, self.status)
            self.body.children = [self.view]
        else:
            self.view.refresh(self.status)

    def _paint_header(self) -> None:
        t, s = self.t, self.status
        self.title.value = f'<div class="ws-title">{esc(s.title)}</div>'
        self.stage.value = f'<b class="ws-stage-name">{esc(t(phases.TITLES[s.phase]))}</b>'
        if self.joined is not None:
            self.who.value = f'<span class="ws-muted">{esc(t("You are {name}").format(name=self.joined.name))}</span>'
        self.countdown.done_text = t("Time is up")
        self.countdown.show(s.timer_ends_at, s.timer_label)

    def _connection(self, ok: bool) -> None:
        self.banner.value = "" if ok else (
            f'<div class="ws-banner" role="alert">{esc(self.t("Connection to the workshop lost. Reconnecting… Anything you do now may not be saved."))}</div>')
        if ok:
            self._changed()

    def _tick(self) -> None:
        self._ticks += 1
        if self.joined is not None and self._ticks % PRESENCE_EVERY == 0:
            try:
                workshops.touch(self.store, self.code, self.joined.token)
            except Exception:  # noqa: BLE001 - presence is best effort
                pass

    def _language(self, change) -> None:
        self.t = translator(change["new"])
        if self.status is None:  # not opened yet
            self.join_form.configure(None, self.t)
        elif self.joined is not None:
            self.visitor.t = self.t
            self.phase = None
            self._changed()
        else:
            self._paint_header()
            self.join_form.configure(self.status, self.t)
