"""Dot voting: spend a budget of dots on the values; others' votes stay hidden.

Between rounds the phone says the round is closed and to wait for the facilitator, with the
closed round's result (the whole room may see it); the next ballot appears in place when the
facilitator opens it."""

from __future__ import annotations

import ipywidgets as w

from workshop.domain import voting
from workshop.widgets.kit import esc, run_action, static_text
from workshop.widgets.participant.base import StageView, heading


def results_html(result, t) -> str:
    """A closed round as bars; kept values first."""
    top = max([c.dots for c in result.candidates] + [1])
    title = t("Results of run-off {n}") if result.is_runoff else t("Results of round {n}")
    rows = []
    labels = {"kept": t("kept"), "dropped": t("dropped"), "runoff": t("tie: run-off")}
    for c in result.candidates:
        pct = int(100 * c.dots / top)
        rows.append(
            f'<div class="ws-result ws-{esc(c.outcome)}"><span class="ws-result-name">{esc(c.name)}</span>'
            f'<span class="ws-bar"><span style="width:{pct}%"></span></span>'
            f'<span class="ws-result-dots">{c.dots}</span> <span class="ws-muted">{esc(labels.get(c.outcome, ""))}</span></div>')
    return f"<h4>{esc(title.format(n=result.number))}</h4>" + "".join(rows)


def between_html(last_closed, step, t) -> str:
    """What a phone shows while no round is open (``last_closed``: the last closed round, or None)."""
    if step is not None and step.done:
        title = t("The vote is done")
        text = t("These values stay. The facilitator moves the workshop on in a moment.")
    elif last_closed is None:
        return f"<p>{esc(t('Waiting for the facilitator to open the next round.'))}</p>"
    else:
        title = t("Round {n} is closed").format(n=last_closed.number)
        if step is not None and step.is_runoff:
            text = t("{names} tie at the cut. Talk it over with the room; the run-off ballot appears here "
                     "when the facilitator opens it.").format(names=", ".join(v.name for v in step.values))
        else:
            text = t("Talk about the results with the room; the next ballot appears here when the "
                     "facilitator opens it.")
    return (f'<div class="ws-between-rounds" role="status"><b>{esc(title)}</b>'
            f'<p>{esc(text)}</p></div>')


RESULT_CSS = f"<style>\n{static_text('participant-voting.css')}</style>"


class BallotLine(w.HBox):
    def __init__(self, view: VotingView, line):
        super().__init__(layout=w.Layout(align_items="center", width="100%"))
        self.view, self.value_id = view, line.value_id
        # Basis 0: every label takes the same room, so the buttons line up down the ballot.
        self.label = w.HTML(layout=w.Layout(flex="1 1 0%", min_width="0"))
        # Icon-only buttons named by their tooltip (the title attribute), in the reader's language:
        # "Add a dot to Honesty" rather than "+".
        self.minus = w.Button(description="", icon="minus", layout=w.Layout(width="44px"))
        self.plus = w.Button(description="", icon="plus", layout=w.Layout(width="44px"))
        self.minus.add_class("ws-dot-minus")
        self.plus.add_class("ws-dot-plus")
        self.dots = w.HTML()
        self.dots.add_class("ws-dots")
        self.minus.on_click(lambda _: self._set(-1))
        self.plus.on_click(lambda _: self._set(+1))
        self.add_class("ws-ballot-line")
        self.add_class(f"ws-value-{line.value_id}")
        self.children = [self.label, self.minus, self.dots, self.plus]
        self.update(line)

    def update(self, line) -> None:
        self.mine = line.my_dots
        t = self.view.t
        self.name = line.name
        for button, tip in ((self.minus, t("Take a dot off {value}")), (self.plus, t("Add a dot to {value}"))):
            tip = tip.format(value=line.name)
            if button.tooltip != tip:
                button.tooltip = tip
        desc = f'<div class="ws-muted">{esc(line.description)}</div>' if line.description else ""
        label = f"<b>{esc(line.name)}</b>{desc}"
        if self.label.value != label:
            self.label.value = label
        dots = t.ngettext("{n} dot on {value}", "{n} dots on {value}", self.mine).format(n=self.mine, value=line.name)
        self.dots.value = (f'<span role="img" aria-label="{esc(dots)}" title="{esc(dots)}" data-dots="{self.mine}">'
                           f'{"●" * self.mine or "·"}</span>')
        self.minus.disabled = self.mine == 0

    def _set(self, delta: int) -> None:
        v = self.view
        ballot = run_action(v.feedback, v.t, voting.set_dots, v.visitor.store, v.visitor.code,
                            v.visitor.token, self.value_id, self.mine + delta)
        if ballot is not None:
            v.show_ballot(ballot)
            v.feedback.ok(v.t("Saved."))
            # The pressed button may now be disabled (the last dot spent, none left to take off):
            # keep the focus on the ballot, on this value's other button, not on the page body.
            pressed, other = (self.plus, self.minus) if delta > 0 else (self.minus, self.plus)
            if pressed.disabled and not other.disabled:
                v.visitor.focus(f".ws-ballot-line.ws-value-{self.value_id} .ws-dot-{'minus' if delta > 0 else 'plus'}")


class VotingView(StageView):
    def __init__(self, visitor, status):
        super().__init__(visitor, status)
        self.summary = w.HTML()
        self.summary.add_class("ws-ballot-summary")
        self.lines = w.VBox()
        self.results = w.HTML()
        self._round = None
        self._lines: dict[int, BallotLine] = {}
        #: What is on screen (the ballot and the between-rounds text; the last closed round):
        #: a vote elsewhere in the room repaints every phone, and an equal read redraws nothing.
        self._shown = self._results_shown = None
        self.children = [w.HTML(RESULT_CSS), heading(self.t("Dot voting")), self.summary, self.lines,
                         self.feedback, self.results]
        self.refresh(status)

    def show_ballot(self, ballot, between: str = "") -> None:
        if (ballot, between) == self._shown:
            return
        self._shown = (ballot, between)
        t = self.t
        if ballot is None:
            self._round = None
            self.lines.children = []
            self._lines = {}
            between = between or f"<p>{esc(t('Waiting for the facilitator to open the next round.'))}</p>"
            if self.summary.value != between:
                self.summary.value = between
            return
        # A round reopened and opened again keeps its number, maybe not its values.
        round_key = (ballot.round_number, tuple(line.value_id for line in ballot.lines))
        if round_key != self._round:
            self._round = round_key
            self._lines = {line.value_id: BallotLine(self, line) for line in ballot.lines}
            self.lines.children = list(self._lines.values())
        else:
            for line in ballot.lines:
                self._lines[line.value_id].update(line)
        kind = t("Run-off") if ballot.is_runoff else t("Round {n}").format(n=ballot.round_number)
        cap = (" " + t("At most {cap} on one value.").format(cap=ballot.cap)) if ballot.cap else ""
        self.summary.value = (
            f"<p><b>{esc(kind)}</b>: {esc(t('spread your dots over the values that matter most.'))}{esc(cap)}</p>"
            f'<p class="ws-dots-left">{esc(t("Dots left: {left} of {budget}").format(left=ballot.remaining, budget=ballot.budget))}</p>')
        for line in self._lines.values():
            line.plus.disabled = ballot.remaining <= 0 or (ballot.cap is not None and line.mine >= ballot.cap)

    def refresh(self, status) -> None:
        super().refresh(status)
        v = self.visitor
        seen = voting.seen_by(v.store, v.code, v.token)
        between = "" if seen.ballot else between_html(seen.last_closed, seen.step, self.t)
        self.show_ballot(seen.ballot, between)
        # The whole result, not its number: a round reopened and closed again keeps its number.
        if seen.last_closed != self._results_shown:
            self._results_shown = seen.last_closed
            self.results.value = results_html(seen.last_closed, self.t) if seen.last_closed else ""
