"""The console: one page for the whole call (``notebooks/00-facilitator.ipynb``).

It shows the panel of the stage the room is at, headed by its run-of-show slot
and timer, with that stage's script beside it (the stage notebook's own guidance,
``script.py``). When the room moves on (Next stage here, on another facilitator
page, or Undo) it swaps to the new stage's panel in place: each panel is built
on first use and kept, hidden, so going back is instant. The stage bar opens any
other stage's panel without moving the room.

Everything here is for the facilitator's eyes; the shared screen is the room
screen (``notebooks/room.ipynb``), which the header links to.
"""

from __future__ import annotations

import logging
import re
import time

import ipywidgets as w

from workshop.core import phases, stages
from workshop.core.errors import N_
from workshop.domain import workshops
from workshop.widgets.facilitator.base import Confirm, Panel, button, hint, private, section, set_html, set_options
from workshop.widgets.facilitator.script import agenda_html, script_html
from workshop.widgets.kit import esc

log = logging.getLogger(__name__)

#: How the stage bar groups the stages (``Stage.part``).
PARTS = (("before", N_("Before the call")), ("call", N_("The call")), ("after", N_("After the call")))


def _under_h2(html: str) -> str:
    """The script's own headings (h1, h2, ...) moved below the aside's h2, so the outline has no jumps."""
    return re.sub(r"<(/?)h([1-5])\b", lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 2, 6)}", html)


class StageBar(w.HBox):
    """A button per stage, grouped before / during / after the call; the live one marked.

    Buttons, not links: opening a stage here changes what this page shows, not where the room is."""

    def __init__(self, deck: "ConsoleDeck"):
        super().__init__(layout=w.Layout(flex_flow="row wrap", align_items="center"))
        self.deck = deck
        t = deck.t
        self.add_class("ws-stage-bar")
        self.buttons: dict[str, w.Button] = {}
        groups = []
        for part, title in PARTS:
            row = []
            for s in stages.STAGES:
                if s.part != part:
                    continue
                b = button(t(s.label), lambda name=s.name: deck.show_stage(name))
                b.add_class("ws-stage-button")
                b.add_class(f"ws-stage-{s.name}")
                self.buttons[s.name] = b
                row.append(b)
            label = w.HTML(f'<span class="ws-muted ws-part">{esc(t(title))}</span>')
            group = w.HBox([label, *row], layout=w.Layout(align_items="center", flex_flow="row wrap"))
            group.add_class("ws-stage-group")
            groups.append(group)
        self.back = button("", lambda: deck.show_stage(deck.live), icon="arrow-left")
        self.back.add_class("ws-back-to-live")
        self.children = [*groups, self.back]

    def refresh(self) -> None:
        d, t = self.deck, self.deck.t
        for name, b in self.buttons.items():
            for css, on in (("ws-live-stage", name == d.live), ("ws-shown", name == d.shown)):
                if on and css not in b._dom_classes:
                    b.add_class(css)
                elif not on and css in b._dom_classes:
                    b.remove_class(css)
            style = "primary" if name == d.shown else ""
            if b.button_style != style:
                b.button_style = style
            tip = t("The room is at this stage now") if name == d.live else t("Open this stage here; the room stays where it is")
            if b.tooltip != tip:
                b.tooltip = tip
        self.back.description = t("Back to the live stage: {stage}").format(stage=t(stages.stage(d.live).label))
        self.back.layout.display = "none" if d.shown == d.live else None


class ConsoleDeck(Panel):
    """The stage bar, the shown stage's pane, its script and the run of show."""

    #: Called after another stage is shown here (the shell retitles the tab).
    on_shown = None
    #: Called after "Reopen this stage" moved the room (the shell focuses the new stage's heading).
    on_moved = None

    def __init__(self, console, status):
        super().__init__(console, status)
        t = self.t
        self.add_class("ws-console-deck")
        self.live = stages.stage_of_phase(status.phase).name
        self.shown = self.live
        self.phase = status.phase
        #: stage -> its pane, built on first use and kept.
        self.panes: dict = {}
        #: (stage, seconds) for every swap this page made: building (first time) or showing a kept pane.
        self.swaps: list[tuple[str, float, bool]] = []
        self.stage_bar = StageBar(self)
        self.shown_note = w.HTML()
        self.stack = w.VBox(layout=w.Layout(flex="1 1 560px", min_width="0"))
        self.stack.add_class("ws-pane-stack")
        self.spotlight = self._spotlight(console)
        self.script_title = w.HTML()
        self.script = w.HTML()
        self.script.add_class("ws-script")
        self.agenda = w.HTML()
        # A visible label, tied to the menu (<label for>): its name for screen readers too.
        self.reopen_choice = w.Dropdown(description=t("Stage"), style={"description_width": "initial"},
                                        layout=w.Layout(width="auto"))
        self.reopen = button(t("Reopen this stage"), self._ask_reopen, icon="step-backward")
        self.reopen.add_class("ws-reopen")
        self.reopen_confirm = Confirm(t, "ws-reopen-confirm")
        reopen_box = private(w.VBox([
            section(t("Go back to an earlier stage")),
            hint(t("Everything written since is kept. To take back the last “Next stage”, use Undo above.")),
            w.HBox([self.reopen_choice, self.reopen], layout=w.Layout(flex_flow="row wrap")),
            self.reopen_confirm, self.feedback,
        ]))
        # The script first: read all through the call, it starts at the top of the column, where its box
        # fits a laptop's screen; the spotlight, used now and then, follows it.
        aside = w.VBox([self.script_title, self.script, *([self.spotlight] if self.spotlight is not None else []),
                        self.agenda, reopen_box],
                       layout=w.Layout(flex="0 1 380px", min_width="0"))
        aside.add_class("ws-console-aside")
        body = w.HBox([self.stack, aside], layout=w.Layout(align_items="flex-start", flex_flow="row wrap"))
        body.add_class("ws-console-body")
        self.children = [self.stage_bar, self.shown_note, body]
        self._show(self.shown, status)

    # ---- what is shown -------------------------------------------------------------------
    @property
    def current(self):
        """The panel on screen now."""
        return self.panes[self.shown].panel

    def show_stage(self, stage: str) -> None:
        """Show ``stage``'s panel here; the room stays where it is."""
        stages.stage(stage)
        self._show(stage, self.status)

    def _pane(self, stage: str, status, hidden: bool = False):
        from workshop.widgets.facilitator.app import StagePane  # the shell imports this module's class lazily

        pane = self.panes.get(stage)
        if pane is None:
            pane = self.panes[stage] = StagePane(self.console, status, stage)
            if hidden:
                pane.layout.display = "none"
            self.stack.children = (*self.stack.children, pane)
            return pane, True
        return pane, False

    def upcoming(self) -> str | None:
        """The stage the room goes to on Next stage (None at the last one or when it stays on this stage)."""
        nxt = phases.next_phase(self.phase)
        stage = stages.stage_of_phase(nxt).name if nxt else None
        return stage if stage != self.live else None

    def prepare(self) -> str | None:
        """Build the upcoming stage's pane now, hidden, so Next stage only has to show it.

        Called from ``tick`` (about a second after a swap), not inside the swap itself."""
        stage = self.upcoming()
        if stage is None or stage in self.panes:
            return None
        pane, _ = self._pane(stage, self.status, hidden=True)
        log.info("console prepared %s in %.3f s", stage, pane.build_seconds)
        return stage

    def _show(self, stage: str, status) -> None:
        started = time.perf_counter()
        pane, built = self._pane(stage, status)
        if not built:
            pane.refresh(status)  # it missed the changes made while it was hidden
        for other in self.panes.values():
            other.layout.display = None if other is pane else "none"
        self.shown = stage
        self._paint(status)
        if self.on_shown is not None:
            self.on_shown()
        seconds = time.perf_counter() - started
        self.swaps.append((stage, seconds, built))
        log.info("console shows %s in %.3f s (%s)", stage, seconds, "built" if built else "kept")

    def _paint(self, status) -> None:
        t = self.t
        self.stage_bar.refresh()
        if self.shown == self.live:
            set_html(self.shown_note, "")
        else:
            set_html(self.shown_note, '<div class="ws-shown-note" role="status">' + esc(
                t("You are looking at “{shown}”. The room is at “{live}”: nothing changes for them.").format(
                    shown=t(stages.stage(self.shown).label), live=t(phases.TITLES[status.phase]))) + "</div>")
        set_html(self.agenda, agenda_html(t, self.live, self.shown))
        set_html(self.script_title, f'<h2 class="ws-script-title">{esc(t("Script: {stage}").format(stage=t(stages.stage(self.shown).label)))}</h2>')
        # A scrolling box: a tab stop of its own, named, so a keyboard can scroll it (axe: scrollable-region-focusable).
        set_html(self.script, f'<div class="ws-script-text" tabindex="0" role="region" '
                              f'aria-label="{esc(t("Script"))}">{_under_h2(script_html(self.shown))}</div>')
        earlier = [(t(phases.TITLES[p]), p) for p in phases.ORDER[:phases.index(status.phase)]]
        set_options(self.reopen_choice, earlier)
        self.reopen.disabled = not earlier

    # ---- following the room ----------------------------------------------------------------
    def refresh(self, status) -> None:
        super().refresh(status)
        if self.spotlight is not None:
            self.spotlight.refresh(status)  # the room screen's content moved with the workshop
        if status.phase != self.phase:
            self.phase = status.phase
            self.reopen_confirm.cancel()
            live = stages.stage_of_phase(status.phase).name
            if live != self.live or self.shown != live:
                self.live = live
                self._show(live, status)  # the room moved: so does this page
                return
        pane = self.panes[self.shown]
        pane.refresh(status)
        self._paint(status)

    def tick(self, background: bool = True) -> None:
        """Once a second: the shown pane's own tick, and the upcoming pane built when ``background``."""
        tick = getattr(self.current, "tick", None)
        if tick is not None:
            tick()
        if not background:
            return
        try:
            self.prepare()
        except Exception:  # noqa: BLE001 - it is built on first use instead
            log.exception("preparing the next stage failed")

    # ---- the room screen and going back -------------------------------------------------------
    def _spotlight(self, console):
        from workshop.widgets.facilitator.app import room_screen

        spotlight = room_screen(console)
        if spotlight is None or not hasattr(spotlight, "SpotlightControl"):
            return None
        try:
            return spotlight.SpotlightControl(console)
        except Exception:  # noqa: BLE001 - the console works without its spotlight
            log.exception("spotlight control failed")
            return None

    def _ask_reopen(self) -> None:
        phase = self.reopen_choice.value
        if not phase:
            return
        title = self.t(phases.TITLES[phase])
        self.reopen_confirm.ask(self.t("Everyone goes back to “{stage}”; nothing written is lost.").format(stage=title),
                                self.t("Yes, go back"), lambda: self._reopen(phase))

    def _reopen(self, phase: str) -> None:
        self.act(workshops.reopen, phase,
                 success=self.t("The workshop is back at “{stage}”.").format(stage=self.t(phases.TITLES[phase])))
        if self.succeeded and self.on_moved is not None:
            self.on_moved()  # the question's buttons are gone: focus on the stage now shown
