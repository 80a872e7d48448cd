"""The facilitator shell: key check, header, stage bar (Next stage, Undo), and one stage's panel.

A stage notebook shows its own stage; the console (``stages.CONSOLE``,
``notebooks/00-facilitator.ipynb``) shows whichever stage the room is at and swaps
in place when it moves (``console.ConsoleDeck``). Each stage's panel is headed by
its run-of-show slot and the timer (``StagePane``), on both."""

from __future__ import annotations

import logging
import time

import ipywidgets as w

from workshop.core import credentials, phases, stages
from workshop.core.errors import NotAuthorized, WorkshopError
from workshop.domain import stagechanges, workshops
from workshop.i18n import translator
from workshop.store import Store, normalize_code
from workshop.widgets.address import AddressBar
from workshop.widgets.countdown import Countdown
from workshop.widgets.facilitator import panel_class, stage_href
from workshop.widgets.facilitator.base import Confirm, Console, button, facilitator_style, private, set_html
from workshop.widgets.facilitator.script import slot_html
from workshop.widgets.facilitator.timer import TimerControl
from workshop.widgets.kit import Feedback, esc, labelled, style
from workshop.widgets.live import Live
from workshop.widgets.page import PageSemantics

log = logging.getLogger(__name__)

#: Seconds after which the console builds panes in the background even if the page never said
#: it was drawn (a client without our JavaScript); Voila loads a page's widgets well within it.
DRAWN_GRACE = 10.0


def key_opens(store: Store, code: str, key: str) -> bool:
    """True only for the right key of an existing workshop; a missing workshop looks like a wrong key."""
    if not code or not key:
        return False
    try:
        return workshops.check_key(store, code, key)
    except WorkshopError:
        return False


class KeyGate(w.VBox):
    """Asks for the facilitator key and shows nothing of the workshop until it is right."""

    def __init__(self, store: Store, code: str, t, on_open, refused: bool = False):
        super().__init__()
        self.add_class("ws-key-gate")
        self.store, self.code, self.t, self.on_open = store, code, t, on_open
        # Opened without a link (no ?w=): the facilitator types the join code as well.
        self.code_field = labelled(w.Text(layout=w.Layout(width="12em")), t("Join code"))
        self.code_field.add_class("ws-code-input")
        self.code_field.layout.display = "none" if code else None
        self.key = labelled(w.Password(layout=w.Layout(width="24em")), t("Facilitator key"))
        self.key.add_class("ws-key-input")
        self.open = button(t("Open"), self._try, style="primary", icon="unlock")
        self.feedback = Feedback()
        if refused:
            self.feedback.error(t("This link's key does not open the workshop. Enter the facilitator key."))
        # Say what to type: the join code as well when the page was opened without a link.
        intro = (t("This page is for the workshop facilitator. Open it with your facilitator link, or enter the facilitator key you were given when the workshop was created.")
                 if code else
                 t("This page is for the workshop facilitator. Open it with your facilitator link, or enter the workshop's join code and the facilitator key you were given when the workshop was created."))
        self.children = [
            w.HTML(f'<div class="ws-title">{esc(t("Facilitator sign-in"))}</div><p>{esc(intro)}</p>'),
            w.HBox([self.code_field, self.key, self.open], layout=w.Layout(flex_flow="row wrap")),
            self.feedback,
        ]

    def _try(self) -> None:
        key = self.key.value.strip()
        code = self.code or normalize_code(self.code_field.value)
        try:
            opened = bool(code and key) and workshops.check_key(self.store, code, key)
        except NotAuthorized as err:  # too many wrong keys lately: say so, not "wrong key"
            self.feedback.error(err.localized(self.t))
            return
        except WorkshopError:
            opened = False
        if opened:
            self.key.value = ""
            self.on_open(key, code)
        else:
            self.feedback.error(self.t("That key does not open this workshop. Check the facilitator link or key."))


def room_screen(console: Console):
    """The room screen's module (``spotlight.py``: ``room_href``, ``SpotlightControl``), when it is installed."""
    try:
        from workshop.widgets.facilitator import spotlight
    except ImportError:
        return None
    return spotlight


def room_link(console: Console) -> str:
    """A link that opens the room screen in a tab of its own ("" while there is none).

    The room screen's address carries only its own screen secret, never the key."""
    spotlight = room_screen(console)
    if spotlight is None:
        return ""
    try:
        href = spotlight.room_href(console)
    except Exception:  # noqa: BLE001 - the console works without the room screen
        log.exception("room screen link failed")
        return ""
    if not href:
        return ""
    t = console.t
    return (f'<a class="ws-room-link" href="{esc(href)}" target="_blank" rel="noopener"'
            f' title="{esc(t("Share this tab on the call: it shows only what the whole room may see"))}">'
            f'{esc(t("Room screen"))} ↗</a>')


class Header(w.VBox):
    def __init__(self, console: Console):
        super().__init__()
        self.console = console
        self.t = console.t
        self.title = w.HTML()
        self.meta = w.HTML()
        self.countdown = Countdown()
        self.room = w.HTML(room_link(console))
        self.banner = w.HTML()
        top = w.HBox([self.title, w.HBox([self.countdown, self.room], layout=w.Layout(align_items="center"))],
                     layout=w.Layout(justify_content="space-between", align_items="center",
                                     flex_flow="row wrap", width="100%"))
        self.add_class("ws-header")
        self.children = [top, self.meta, self.banner]

    def refresh(self, status: workshops.Status) -> None:
        t = self.t
        set_html(self.title, f'<h1 class="ws-title">{esc(status.title)}</h1>')
        set_html(self.meta,
                 f'<span class="ws-muted">{esc(t("Join code"))}</span> '
                 f'<span class="ws-code">{esc(credentials.format_code(status.code))}</span> '
                 f'&nbsp;<span class="ws-muted">{esc(t("Now"))}</span> '
                 f'<span class="ws-stage-now">{esc(t(phases.TITLES[status.phase]))}</span> '
                 f'&nbsp;<span class="ws-muted ws-joined-count">{esc(t("{n} joined").format(n=status.everyone))}'
                 f'{esc(" · " + t("joining closed")) if not status.joining_open else ""}</span>')
        self.countdown.done_text = t("Time is up")
        if (self.countdown.ends_at_ms or 0) != (status.timer_ends_at.timestamp() * 1000 if status.timer_ends_at else 0) \
                or self.countdown.label != (status.timer_label or ""):
            self.countdown.show(status.timer_ends_at, status.timer_label)

    def connection(self, ok: bool) -> None:
        set_html(self.banner, "" if ok else (
            f'<div class="ws-banner" role="alert">{esc(self.t("Connection to the workshop database lost. Reconnecting… Changes made now may not be saved."))}</div>'))


class PhaseBar(w.VBox):
    """Where the workshop stands, Next stage and Undo: both say what they will do and ask first."""

    def __init__(self, console: Console):
        super().__init__()
        self.console = console
        t = self.t = console.t
        self.add_class("ws-phase-bar")
        self.steps = w.HTML()
        self.feedback = Feedback()
        self.advance = button("", self._ask, style="primary", icon="forward")
        self.advance.add_class("ws-advance")
        self.undo = button(t("Undo last stage change"), self._ask_undo, icon="undo")
        self.undo.add_class("ws-undo-phase")
        self.confirm_row = Confirm(t)
        #: The two confirm buttons, by their own classes (the browser tests click them).
        self.confirm = self.confirm_row.yes
        self.cancel = self.confirm_row.no
        self.question = self.confirm_row.question
        self.phase = None
        #: Where the keyboard focus goes once the room has moved (the shell sets it: the shown
        #: pane's heading); the question's buttons are hidden then, and focus would fall to the page.
        self.on_moved = None
        #: Called with a CSS selector to focus (the shell sets it to its PageSemantics' ``focus``).
        self.focus = lambda selector: None
        self.cancel.on_click(lambda _: self.focus(".ws-advance"))  # Cancel hides itself: back to Next stage
        self.children = [self.steps, w.HBox([self.advance, self.undo], layout=w.Layout(flex_flow="row wrap")),
                         self.confirm_row, self.feedback]

    def refresh(self, status: workshops.Status) -> None:
        t = self.t
        current = phases.index(status.phase)
        items = []
        for i, phase in enumerate(phases.ORDER):
            cls = "ws-current" if i == current else ("ws-done" if i < current else "")
            mark = "✓ " if i < current else ""
            items.append(f'<li class="{cls}">{mark}{esc(t(phases.TITLES[phase]))}</li>')
        set_html(self.steps, f'<ol class="ws-phases" aria-label="{esc(t("Stages"))}">{"".join(items)}</ol>')
        nxt = phases.next_phase(status.phase)
        if status.phase != self.phase:
            self.phase = status.phase
            self._cancel()  # a question about the stage the room has left is no longer true
        if nxt is None:
            self.advance.description = t("Last stage reached")
            self.advance.disabled = True
        else:
            label = t("Next stage: {stage}").format(stage=t(phases.TITLES[nxt]))
            if self.advance.description != label:
                self.advance.description = label
            self.advance.disabled = False

    def _ask(self) -> None:
        self.feedback.clear()
        nxt = phases.next_phase(self.phase) if self.phase else None
        if nxt is None:
            return
        self._mark("ws-confirm-advance")
        self.confirm_row.ask(
            self.t("Move everyone to “{stage}”? Their screens switch at once.").format(stage=self.t(phases.TITLES[nxt])),
            self.t("Yes, move everyone on"), self._advance)

    def _ask_undo(self) -> None:
        """Says where Undo would take the room and asks; only Yes moves anyone."""
        self.feedback.clear()
        c = self.console
        try:
            back = stagechanges.undo_target(c.store, c.code, c.key)
        except WorkshopError as err:
            self.feedback.error(self.t.error(err))
            return
        if back is None:
            self._cancel()
            self.feedback.error(self.t("There is no change of stage to undo."))
            return
        self._mark("ws-confirm-undo")
        self.confirm_row.ask(
            self.t("Everyone goes back to “{stage}”; nothing written is lost.").format(stage=self.t(phases.TITLES[back])),
            self.t("Yes, go back"), self._undo)

    def _mark(self, css: str) -> None:
        for other in ("ws-confirm-advance", "ws-confirm-undo"):
            if other != css:
                self.confirm.remove_class(other)
        self.confirm.add_class(css)

    def _cancel(self) -> None:
        self.confirm_row.cancel()

    @property
    def asking(self) -> bool:
        return self.confirm_row.asking

    def _run(self, fn):
        c = self.console
        try:
            result = fn(c.store, c.code, c.key)
        except WorkshopError as err:
            self.feedback.error(self.t.error(err))
            return None
        except Exception:  # noqa: BLE001 - the facilitator sees a plain message, the log the details
            log.exception("stage change failed")
            self.feedback.error(self.t("Something went wrong; nothing was changed. Please try again."))
            return None
        c.changed()
        return result

    def _moved(self, done) -> None:
        """After Yes: focus on the stage now shown, or back on Next stage when nothing moved."""
        if done and self.on_moved is not None:
            self.on_moved()
        else:
            self.focus(".ws-advance")

    def _advance(self) -> None:
        reached = self._run(workshops.advance)
        if reached:
            self.feedback.ok(self.t("Everyone is now at “{stage}”.").format(stage=self.t(phases.TITLES[reached])))
        self._moved(reached)

    def _undo(self) -> None:
        back = self._run(workshops.undo_phase)
        if back:
            self.feedback.ok(self.t("Undone: the workshop is back at “{stage}”.").format(
                stage=self.t(phases.TITLES[back])))
        self._moved(back)


class Navigation(w.HTML):
    """Links to every stage notebook (the live stage marked) on a stage notebook.

    The links carry the join code, never the key: the tab remembers the key
    (``AddressBar(remember=["key"])``) and the page it opens asks for it otherwise."""

    def __init__(self, console: Console, here: str):
        super().__init__()
        self.console, self.here = console, here
        private(self)
        self.add_class("ws-nav-box")

    def refresh(self, status: workshops.Status) -> None:
        t, c = self.console.t, self.console
        live = stages.stage_of_phase(status.phase).name
        links = []
        for stage in stages.STAGES:
            classes = " ".join(x for x in ("ws-here" if stage.name == self.here else "",
                                           "ws-live-stage" if stage.name == live else "") if x)
            title = t("The workshop is at this stage now") if stage.name == live else ""
            links.append(f'<a href="{esc(stage_href(stage.name, c.code))}" target="_self" class="{classes}"'
                         f' title="{esc(title)}">{esc(t(stage.label))}</a>')
        set_html(self, f'<nav class="ws-nav" aria-label="{esc(t("Stage notebooks"))}">'
                       f'<span class="ws-muted">{esc(t("Go to"))}</span>{"".join(links)}</nav>')


class StagePane(w.VBox):
    """One stage's panel as the shell shows it: its run-of-show slot, its timer, the panel."""

    def __init__(self, console: Console, status: workshops.Status, stage: str):
        super().__init__()
        started = time.perf_counter()
        self.stage = stage
        t = console.t
        self.add_class("ws-stage-pane")
        self.add_class(f"ws-pane-{stage}")
        self.heading = w.HTML(f'<h2 class="ws-pane-title">{esc(t(stages.stage(stage).label))}</h2>'
                              + slot_html(stage, t))
        self.timer = TimerControl.for_stage(console, stage, status.phase)
        self.panel = panel_class(stage)(console, status)
        self.children = [self.heading, self.timer, self.panel]
        #: Seconds the kernel took to build this pane (the console reports its swaps).
        self.build_seconds = time.perf_counter() - started

    def refresh(self, status: workshops.Status) -> None:
        self.timer.follow(status.phase)
        self.panel.refresh(status)


#: How often the facilitator's page looks at the store's cheap change stamp (SQLite; see
#: workshop/store/changes.py): a vote shows within this of its commit instead of up to a whole
#: interval later, while repaints still come at most once an interval. One or two pages per
#: room, so the extra looks cost nothing worth counting.
LIVE_CHECK = 0.05


class FacilitatorApp(w.VBox):
    """A stage notebook's app, or the console's. Shows only a key field until the key opens the workshop."""

    def __init__(self, store: Store, code: str | None, key: str | None, stage: str, lang: str | None = None,
                 live_interval: float = 0.25, start_live: bool = True):
        super().__init__()
        self.add_class("ws-app")
        self.add_class("ws-facilitator")
        self.store, self.code, self.stage, self.lang = store, normalize_code(code or ""), stage, lang
        self.panel_class = panel_class(stage)  # an unknown stage fails here, before anything is shown
        self.live_interval, self.start_live = live_interval, start_live
        self.t = translator(lang)
        self.unlocked = False
        self.panel = None
        self.pane: StagePane | None = None
        self.live: Live | None = None
        self.status: workshops.Status | None = None
        if stage == stages.CONSOLE:
            self.add_class("ws-console")
        if key_opens(store, self.code, key or ""):
            self._open(key)
        else:
            self.gate = KeyGate(store, self.code, self.t, self._open, refused=bool(key))
            self.children = [style(), facilitator_style(), self.gate]
        self.children += (AddressBar(remember=["key"], locked=not self.unlocked),)  # key out of the address bar

    def _open(self, key: str, code: str | None = None) -> None:
        if code:
            self.code = code
        self.status = status = workshops.status(self.store, self.code)
        self.t = t = translator(self.lang or status.language)
        self.console = Console(self.store, self.code, key, t, changed=self._poke)
        self.header = Header(self.console)
        self.phase_bar = PhaseBar(self.console)
        if self.stage == stages.CONSOLE:
            self.nav = None
            self.panel = self.panel_class(self.console, status)  # the deck: it builds the stages' panes
            body = [self.panel]
        else:
            self.nav = Navigation(self.console, self.stage)
            self.pane = StagePane(self.console, status, self.stage)
            self.panel = self.pane.panel
            body = [self.nav, self.pane]
        self.unlocked = True
        #: The tab's title, <html lang> and the main landmark (Voila's template knows none of them).
        self.page = PageSemantics()
        self._opened = time.monotonic()
        self.page.set_language(self.lang or status.language)
        if self.stage == stages.CONSOLE:
            self.panel.on_shown = lambda: self._retitle(self.status)
            self.panel.on_moved = self.focus_heading
        self.phase_bar.focus = self.page.focus
        self.phase_bar.on_moved = self.focus_heading
        self.children = [style(), facilitator_style(), self.header, self.phase_bar, *body, self.page]
        self._paint(status)
        self.live = Live(self.store, self.code, interval=self.live_interval, check=LIVE_CHECK)
        self.live.revision = status.revision
        self.live.on_change(self._changed)
        self.live.on_connection(self._connection)
        self.live.on_tick(self._tick)
        if self.start_live:
            self.live.start()

    def focus_heading(self) -> None:
        """Keyboard focus to the heading of the stage on screen (after the room moved from here)."""
        shown = self.panel.shown if self.stage == stages.CONSOLE else self.stage
        self.page.focus(f".ws-pane-{shown} .ws-pane-title")

    def _retitle(self, status: workshops.Status) -> None:
        """The tab's title: "Console – Voting – Acme workshop" (the stage shown), or "Voting – Acme workshop"."""
        t = self.t
        if self.stage == stages.CONSOLE:
            self.page.set_title(t(stages.stage(stages.CONSOLE).label), t(stages.stage(self.panel.shown).label),
                                status.title)
        else:
            self.page.set_title(t(stages.stage(self.stage).label), status.title)

    def _paint(self, status: workshops.Status) -> None:
        self._retitle(status)
        self.header.refresh(status)
        self.phase_bar.refresh(status)
        if self.nav is not None:
            self.nav.refresh(status)

    def _changed(self) -> None:
        self.status = status = workshops.status(self.store, self.code)
        self._paint(status)
        (self.pane or self.panel).refresh(status)

    def _poke(self) -> None:
        """After an action here: show its effect now rather than at the next poll."""
        try:
            self.live.check_now()
        except Exception:  # noqa: BLE001 - the poller will catch up and report the connection
            log.exception("refresh after an action failed")

    def _connection(self, ok: bool) -> None:
        self.header.connection(ok)
        if ok:
            self._changed()

    def _tick(self) -> None:
        tick = getattr(self.panel, "tick", None)
        if tick is None:
            return
        if self.stage == stages.CONSOLE:
            # The deck builds panes in the background only once the browser has drawn the page
            # (or, for a client that never says so, after a grace period).
            tick(background=self.page.drawn or time.monotonic() - self._opened > DRAWN_GRACE)
        else:
            tick()
