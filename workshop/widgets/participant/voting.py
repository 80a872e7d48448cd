"""Dot voting: spend a budget of dots on the values; others' votes stay hidden."""

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


RESULT_CSS = f"<style>\n{static_text('participant-voting.css')}</style>"


class BallotLine(w.HBox):
    def __init__(self, view: "VotingView", line):
        super().__init__(layout=w.Layout(align_items="center", width="100%"))
        self.view, self.value_id = view, line.value_id
        # Basis 0: every label takes the same room, so the buttons line up down the ballot.
        self.label = w.HTML(layout=w.Layout(flex="1 1 0%", min_width="0"))
        self.minus = w.Button(description="−", layout=w.Layout(width="44px"), tooltip=view.t("Take a dot off"))
        self.plus = w.Button(description="+", layout=w.Layout(width="44px"), tooltip=view.t("Add a dot"))
        self.dots = w.HTML()
        self.dots.add_class("ws-dots")
        self.minus.on_click(lambda _: self._set(-1))
        self.plus.on_click(lambda _: self._set(+1))
        self.add_class("ws-ballot-line")
        self.children = [self.label, self.minus, self.dots, self.plus]
        self.update(line)

    def update(self, line) -> None:
        self.mine = line.my_dots
        desc = f'<div class="ws-muted">{esc(line.description)}</div>' if line.description else ""
        label = f"<b>{esc(line.name)}</b>{desc}"
        if self.label.value != label:
            self.label.value = label
        self.dots.value = f'<span title="{self.mine}">{"●" * self.mine or "·"}</span>'
        self.minus.disabled = self.mine == 0

    def _set(self, delta: int) -> None:
        v = self.view
        ballot = run_action(v.feedback, v.t, voting.set_dots, v.visitor.store, v.visitor.code,
                            v.visitor.token, self.value_id, self.mine + delta)
        if ballot is not None:
            v.show_ballot(ballot)
            v.feedback.ok(v.t("Saved."))


class VotingView(StageView):
    def __init__(self, visitor, status):
        super().__init__(visitor, status)
        self.summary = w.HTML()
        self.summary.add_class("ws-ballot-summary")
        self.lines = w.VBox()
        self.results = w.HTML()
        self._round = None
        self._lines: dict[int, BallotLine] = {}
        self._results_key = None
        self.children = [w.HTML(RESULT_CSS), heading(self.t("Dot voting")), self.summary, self.lines,
                         self.feedback, self.results]
        self.refresh(status)

    def show_ballot(self, ballot) -> None:
        t = self.t
        if ballot is None:
            self._round = None
            self.lines.children = []
            self._lines = {}
            self.summary.value = f"<p>{esc(t('Waiting for the facilitator to open the next round.'))}</p>"
            return
        if ballot.round_number != self._round:
            self._round = ballot.round_number
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
        self.show_ballot(voting.ballot(self.visitor.store, self.visitor.code, self.visitor.token))
        closed = [r for r in voting.rounds(self.visitor.store, self.visitor.code) if r.status == "closed"]
        key = closed[-1].number if closed else None
        if key != self._results_key:
            self._results_key = key
            self.results.value = results_html(closed[-1], self.t) if closed else ""
