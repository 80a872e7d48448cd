"""The facilitator shell: key check, header, stage bar, navigation, and one stage's panel."""

from __future__ import annotations

import logging

import ipywidgets as w

from workshop.core import credentials, phases, stages
from workshop.core.errors import NotAuthorized, WorkshopError
from workshop.domain import workshops
from workshop.i18n import translator
from workshop.store import Store, normalize_code
from workshop.widgets.address import AddressBar
from workshop.widgets.countdown import Countdown
from workshop.widgets.facilitator import panel_class, stage_href
from workshop.widgets.facilitator.base import Console, button, private, set_html
from workshop.widgets.facilitator.presentation import PresentationToggle, facilitator_style
from workshop.widgets.kit import Feedback, esc, style
from workshop.widgets.live import Live

log = logging.getLogger(__name__)


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
        self.code_field = w.Text(placeholder=t("Join code"), layout=w.Layout(width="12em"))
        self.code_field.add_class("ws-code-input")
        self.code_field.layout.display = "none" if code else None
        self.key = w.Password(placeholder=t("Facilitator key"), layout=w.Layout(width="24em"))
        self.key.add_class("ws-key-input")
        self.open = button(t("Open"), self._try, style="primary", icon="unlock")
        self.feedback = Feedback()
        if refused:
            self.feedback.error(t("This link's key does not open the workshop. Enter the facilitator key."))
        self.children = [
            w.HTML(f'<div class="ws-title">{esc(t("Facilitator sign-in"))}</div>'
                   f'<p>{esc(t("This page is for the workshop facilitator. Open it with your facilitator link, or enter the facilitator key you were given when the workshop was created."))}</p>'),
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


class Header(w.VBox):
    def __init__(self, t, toggle: w.Widget):
        super().__init__()
        self.t = t
        self.title = w.HTML()
        self.meta = w.HTML()
        self.countdown = Countdown()
        self.banner = w.HTML()
        top = w.HBox([self.title, w.HBox([self.countdown, toggle], layout=w.Layout(align_items="center"))],
                     layout=w.Layout(justify_content="space-between", align_items="center",
                                     flex_flow="row wrap", width="100%"))
        self.add_class("ws-header")
        self.children = [top, self.meta, self.banner]

    def refresh(self, status: workshops.Status) -> None:
        t = self.t
        set_html(self.title, f'<div class="ws-title">{esc(status.title)}</div>')
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
    """Where the workshop stands, Advance (with a confirm step) and Undo."""

    def __init__(self, console: Console):
        super().__init__()
        self.console = console
        t = self.t = console.t
        self.add_class("ws-phase-bar")
        self.steps = w.HTML()
        self.feedback = Feedback()
        self.advance = button("", self._ask, style="primary", icon="forward")
        self.advance.add_class("ws-advance")
        self.undo = button(t("Undo last stage change"), self._undo, icon="undo")
        self.undo.add_class("ws-undo-phase")
        self.question = w.HTML()
        self.confirm = button(t("Yes, move everyone on"), self._advance, style="warning", icon="check")
        self.confirm.add_class("ws-confirm-advance")
        self.cancel = button(t("Cancel"), self._cancel)
        self.confirm_row = w.HBox([self.question, self.confirm, self.cancel])
        self.confirm_row.add_class("ws-confirm")
        self.confirm_row.layout.display = "none"
        self.phase = None
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
            self._cancel()
        if nxt is None:
            self.advance.description = t("Last stage reached")
            self.advance.disabled = True
        else:
            label = t("Next stage: {stage}").format(stage=t(phases.TITLES[nxt]))
            if self.advance.description != label:
                self.advance.description = label
            self.advance.disabled = False
            set_html(self.question, "<b>" + esc(t("Move everyone to “{stage}”? Their screens switch at once.").format(
                stage=t(phases.TITLES[nxt]))) + "</b>")

    def _ask(self) -> None:
        self.feedback.clear()
        self.confirm_row.layout.display = "flex"

    def _cancel(self) -> None:
        self.confirm_row.layout.display = "none"

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

    def _advance(self) -> None:
        self._cancel()
        reached = self._run(workshops.advance)
        if reached:
            self.feedback.ok(self.t("Everyone is now at “{stage}”.").format(stage=self.t(phases.TITLES[reached])))

    def _undo(self) -> None:
        self._cancel()
        back = self._run(workshops.undo_phase)
        if back:
            self.feedback.ok(self.t("Undone: the workshop is back at “{stage}”.").format(
                stage=self.t(phases.TITLES[back])))


class Navigation(w.HTML):
    """Links to every stage notebook, carrying the code and key; the live stage is marked."""

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
            links.append(f'<a href="{esc(stage_href(stage.name, c.code, c.key))}" target="_self" class="{classes}"'
                         f' title="{esc(title)}">{esc(t(stage.label))}</a>')
        set_html(self, f'<nav class="ws-nav" aria-label="{esc(t("Stage notebooks"))}">'
                       f'<span class="ws-muted">{esc(t("Go to"))}</span>{"".join(links)}</nav>')


class FacilitatorApp(w.VBox):
    """One stage notebook's app. Shows only a key field until the key opens the workshop."""

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
        self.live: Live | None = None
        self.status: workshops.Status | None = None
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
        self.toggle = PresentationToggle(self, t)
        self.header = Header(t, self.toggle)
        self.phase_bar = PhaseBar(self.console)
        self.nav = Navigation(self.console, self.stage)
        self.panel = self.panel_class(self.console, status)
        self.unlocked = True
        self.children = [style(), facilitator_style(), self.header, self.phase_bar, self.nav, self.panel]
        self._paint(status)
        self.live = Live(self.store, self.code, interval=self.live_interval)
        self.live.revision = status.revision
        self.live.on_change(self._changed)
        self.live.on_connection(self._connection)
        self.live.on_tick(self._tick)
        if self.start_live:
            self.live.start()

    def _paint(self, status: workshops.Status) -> None:
        self.header.refresh(status)
        self.phase_bar.refresh(status)
        self.nav.refresh(status)

    def _changed(self) -> None:
        self.status = status = workshops.status(self.store, self.code)
        self._paint(status)
        self.panel.refresh(status)

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
        if tick is not None:
            tick()

    @property
    def presenting(self) -> bool:
        return self.unlocked and self.toggle.value
