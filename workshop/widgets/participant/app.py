"""The participant app shell: join, then always show the workshop's current stage."""

from __future__ import annotations

import ipywidgets as w

from workshop.core import links, phases, stages
from workshop.core.errors import N_, NotFound, WorkshopError
from workshop.domain import workshops
from workshop.i18n import translator
from workshop.store import Store
from workshop.widgets.address import AddressBar
from workshop.widgets.countdown import Countdown
from workshop.widgets.kit import esc, static_text, style
from workshop.widgets.participant.base import Visitor
from workshop.widgets.participant.join import JOINING, CodeEntry, JoinForm
from workshop.widgets.shell import ALREADY_JOINED, VisitorShell

# Every stage view is imported with the app, before a visitor arrives: a preheated kernel
# has paid for them, and a stage change costs no import on the room's clock.
for _shown in stages.PARTICIPANT_VIEWS.values():
    stages.load(_shown.view)

#: How often a participant's page looks for changes. Half a second keeps every stage switch
#: well within a second, and costs a room of 100 half the database reads of the facilitator's
#: quarter second (the facilitator's screen is the one that must show each click at once).
LIVE_INTERVAL = 0.5

#: Seconds between "still here" marks, which feed the facilitator's list of who is online.
PRESENCE_EVERY = 20

#: The participant's screen is often a phone: text that wraps needs ordinary line spacing
#: (ipywidgets sets 28px for one-line labels), a long personal link must wrap, and a
#: card's buttons go under the card rather than one beside it and one below.
PARTICIPANT_STYLE = f"<style>\n{static_text('participant.css')}</style>"

#: Said (politely, to screen readers) when the facilitator moves the room to another stage.
STAGE_CHANGED = N_("The workshop has moved on to: {stage}")


class ParticipantApp(VisitorShell):
    """One participant's page. Built in two steps so a preheated kernel does the costly
    part before anyone arrives: ``ParticipantApp(store)`` makes every widget of the first
    screen; ``load_workshop(code)`` (when the visitor's link is known) fills in their workshop by
    changing a few values. ``ParticipantApp(store, code)`` does both at once."""

    def __init__(self, store: Store, code: str | None = None, lang: str | None = None,
                 token: str | None = None, live_interval: float = LIVE_INTERVAL):
        self.live_interval = live_interval
        super().__init__(store, lang)
        self.add_class("ws-participant")
        self.joined: workshops.Joined | None = None
        self.view = None
        self.phase = None
        self._ticks = 0
        #: Focus the stage's heading at the next paint (just joined).
        self._entering = False

        self.title = w.HTML()
        self.stage = w.HTML()
        self.stage.add_class("ws-stage-title")
        self.who = w.HTML()
        self.countdown = Countdown()
        self.banner = w.HTML()
        self.body = w.VBox()
        self.footer = w.HTML()
        header = w.HBox([self.title, self.countdown, self.language],
                        layout=w.Layout(justify_content="space-between", align_items="center",
                                        flex_flow="row wrap", width="100%"))
        self.join_form = JoinForm(store, None, self.t, self._enter, join=self._join)
        self.body.children = [self.join_form]
        self.children = [style(), w.HTML(PARTICIPANT_STYLE), header, w.HBox([self.stage, self.who],
                         layout=w.Layout(justify_content="space-between", flex_flow="row wrap")),
                         self.banner, self.body, self.footer, self.identity, self.page]
        self.children += (AddressBar(after=self.identity),)  # key and token out of the address bar
        if code is not None:
            self.load_workshop(code, lang=lang, token=token)

    def load_workshop(self, code: str, lang: str | None = None, token: str | None = None) -> None:
        """Show the workshop ``code`` (raises NotFound, or NotAuthorized while codes are being guessed)."""
        self.open_workshop(code, lang=lang)
        self._paint_header()
        self.join_form.configure(self.status, self.t)
        if token:
            self._try_token(token, from_link=True)

    def _join(self, code: str, name: str | None, **kwargs) -> workshops.Joined:
        """The join form's action: a new participant, once per page."""
        return self.join_once(workshops.join, self.store, code, name=name, **kwargs)

    def link_refused(self, err: WorkshopError) -> None:
        self.join_form.feedback.error(err.localized(self.t))

    def ask_for_code(self, lang: str | None = None) -> None:
        """Opened without a link: a field for the join code instead of the join form, in the
        link's language (``?lang=``) when it names one: there is no workshop yet to take it from."""
        if lang:
            self.t = translator(lang)
            self.set_language(self.t.lang)
        self.title.value = f'<h1 class="ws-title">{esc(self.t("Join a workshop"))}</h1>'
        self.page.set_title(self.t("Join a workshop"))
        self.body.children = [CodeEntry(self.t, self._code_typed)]

    def _code_typed(self, code: str) -> str | None:
        """Open the typed workshop; returns why not, in the visitor's language."""
        if self.holds_identity or self.is_signed_in:  # a script clicking the old code field
            return self.t(ALREADY_JOINED)
        try:
            self.load_workshop(code)
        except NotFound:
            return self.t("There is no workshop with the code {code}. Check the link with your facilitator.").format(
                code=code.strip())
        except WorkshopError as err:
            return err.localized(self.t)
        self.body.children = [self.join_form]
        return None

    def show_problem(self, title: str, message: str) -> None:
        """Instead of the join form: why this link opens nothing."""
        self.title.value = f'<h1 class="ws-title">{esc(title)}</h1>'
        self.page.set_title(title)
        self.body.children = [w.HTML(f"<p>{esc(message)}</p>")]
        self.language.layout.display = "none"

    # ---- identity ------------------------------------------------------------------
    @property
    def is_signed_in(self) -> bool:
        return self.joined is not None

    def recognise(self, token: str):
        joined = workshops.join(self.store, self.code, token=token)
        return joined if joined.rejoined else None

    def signed_in(self, joined) -> None:
        self._enter(joined)

    def _enter(self, joined: workshops.Joined) -> None:
        if self.joined is not None and self.joined.participant_id != joined.participant_id:
            return  # one page, one person: never a second identity
        self.joined = joined
        self.identity.remember(joined.token)
        self.visitor = Visitor(self.store, self.code, joined.token, joined.name, self.t, page=self.page)
        personal = links.notebook_url(links.PARTICIPANT_NOTEBOOK, w=self.code, p=joined.token)
        self.footer.value = (f'<details class="ws-muted"><summary>{esc(self.t("Continue on another device"))}'
                             f'</summary><p>{esc(self.t("Open this personal link there (keep it to yourself):"))}'
                             f'<br><code class="ws-personal-link">{esc(personal)}</code></p></details>')
        self.phase = None
        self._entering = True
        self.follow(joined.participant_id)
        self.changed()
        self.start_live()

    # ---- live updates ------------------------------------------------------------------
    def changed(self) -> None:
        self.status = workshops.status(self.store, self.code)
        self._paint_header()
        if self.joined is None:
            return
        if self.status.phase != self.phase:
            previous, self.phase = self.phase, self.status.phase
            shown = stages.PARTICIPANT_VIEWS[self.phase]
            self.view = stages.load(shown.view)(self.visitor, self.status, **dict(shown.options))
            self.view.add_class(f"ws-phase-{self.phase}")  # focus finds this view's heading, not the old one's
            self.body.children = [self.view]
            # Keyboard and screen-reader users land on the new stage's heading; a repaint in
            # another language (previous is None, not entering) leaves focus on the menu.
            if previous is not None:
                self.page.announce(self.t(STAGE_CHANGED).format(stage=self.t(phases.TITLES[self.phase])))
            if previous is not None or self._entering:
                self._entering = False
                self.page.focus(f".ws-phase-{self.phase} .ws-stage-heading")
        else:
            self.view.refresh(self.status)


    def _paint_header(self) -> None:
        t, s = self.t, self.status
        self.title.value = f'<h1 class="ws-title">{esc(s.title)}</h1>'
        self.stage.value = f'<b class="ws-stage-name">{esc(t(phases.TITLES[s.phase]))}</b>'
        self.page.set_title(t(phases.TITLES[s.phase]) if self.joined is not None else t(JOINING), s.title)
        if self.joined is not None:
            self.who.value = f'<span class="ws-muted">{esc(t("You are {name}").format(name=self.joined.name))}</span>'
        self.countdown.done_text = t("Time is up")
        self.countdown.show(s.timer_ends_at, s.timer_label)

    def connection(self, ok: bool) -> None:
        self.banner.value = "" if ok else (
            f'<div class="ws-banner" role="alert">{esc(self.t("Connection to the workshop lost. Reconnecting… Anything you do now may not be saved."))}</div>')
        if ok:
            self.changed()

    def tick(self) -> None:
        self._ticks += 1
        if self.joined is not None and self._ticks % PRESENCE_EVERY == 0:
            try:
                workshops.touch(self.store, self.code, self.joined.token)
            except Exception:  # noqa: BLE001 - presence is best effort
                pass

    def language_changed(self) -> None:
        if self.status is None:  # not opened yet
            self.join_form.configure(None, self.t)
        elif self.joined is not None:
            self.visitor.t = self.t
            self.phase = None
            self.changed()
        else:
            self._paint_header()
            self.join_form.configure(self.status, self.t)
