"""Dot voting for the facilitator: open rounds, see who has voted (never how), close, read results.

Closing a round shows its results and one button for what they call for (the run-off, the next
round, or where to go when the vote is done); nothing opens until the facilitator clicks it."""

from __future__ import annotations

import ipywidgets as w

from workshop.core import phases, settings
from workshop.domain import ballots, grouping, voting
from workshop.widgets.facilitator.base import Panel, button, private, set_html
from workshop.widgets.kit import esc, gapped, show, static_text, stylesheet

CSS = static_text("facilitator-voting.css")


def results_html(result, t) -> str:
    """One closed round as horizontal bars, best first, with what happened to each value."""
    labels = {"kept": t("kept"), "dropped": t("dropped"), "runoff": t("tie: run-off")}
    title = (t("Run-off (round {n}): results") if result.is_runoff else t("Round {n}: results")).format(n=result.number)

    def badge(c) -> str:
        return f'<span class="ws-outcome ws-outcome-{esc(c.outcome)}">{esc(labels.get(c.outcome, ""))}</span>'

    if all(c.dots is None for c in result.candidates):
        # Settled by the facilitator: outcomes without counted dots, kept values first.
        ordered = sorted(result.candidates, key=lambda c: c.outcome != "kept")
        rows = "".join(f'<div class="ws-fbar-row ws-{esc(c.outcome)}"><span class="ws-fbar-name">{esc(c.name)}</span>'
                       f"<span></span><span></span><span>{badge(c)}</span></div>" for c in ordered)
        sub = t("decided by the facilitator")
        return f'<div class="ws-fac-results"><h3>{esc(title)} <span class="ws-muted">· {esc(sub)}</span></h3>{rows}</div>'

    top = max([c.dots for c in result.candidates] + [1])
    voters = t.ngettext("{n} person voted", "{n} people voted", result.voters).format(n=result.voters)
    rows = []
    for c in result.candidates:
        pct = round(100 * c.dots / top)
        rows.append(
            f'<div class="ws-fbar-row ws-{esc(c.outcome)}"><span class="ws-fbar-name">{esc(c.name)}</span>'
            f'<span class="ws-fbar"><span style="width:{pct}%"></span></span>'
            f'<span class="ws-fbar-dots">{c.dots}</span><span>{badge(c)}</span></div>')
    tied = [c.name for c in result.candidates if c.outcome == "runoff"]
    note = ""
    if tied:
        places = result.keep - sum(1 for c in result.candidates if c.outcome == "kept")
        text = t.ngettext("Tie at the cut: {names} go to a run-off for the last place.",
                          "Tie at the cut: {names} go to a run-off for {places} remaining places.",
                          places).format(names=", ".join(tied), places=places)
        note = f'<p class="ws-banner">{esc(text)}</p>'
    return (f'<div class="ws-fac-results"><h3>{esc(title)} <span class="ws-muted">· {esc(voters)}</span></h3>'
            + "".join(rows) + note + "</div>")


def step_label(step, t) -> str:
    """The one button for what the last closed round calls for."""
    if step.is_runoff:
        return t("Open the run-off: {names} (keep {keep})").format(
            names=", ".join(v.name for v in step.values), keep=step.keep)
    return t("Open round {n}").format(n=step.number)


def done_html(step, t) -> str:
    """The vote is over: where to go next, pointing at the stage bar (the panel does not move the room)."""
    n = len(step.values)
    head = t.ngettext("{n} value remains: move on to the vision.",
                      "{n} values remain: move on to the vision.", n).format(n=n)
    where = t("Use “{button}” in the stage bar at the top.").format(
        button=t("Next stage: {stage}").format(stage=t(phases.TITLES[phases.DRAFTING])))
    return f'<div class="ws-vote-done"><b>{esc(head)}</b> <span>↑ {esc(where)}</span></div>'


def history_html(closed, t) -> str:
    """Earlier rounds, folded away: the latest one is what the room discusses."""
    if not closed:
        return ""
    inner = "".join(results_html(r, t) for r in reversed(closed))
    return f'<details class="ws-history"><summary>{esc(t("Earlier rounds"))}</summary>{inner}</details>'


def voters_html(progress, t) -> str:
    """Who has voted, by name or pseudonym; what they voted for is never known here."""
    voted = sum(1 for p in progress if p.used > 0)
    done = sum(1 for p in progress if p.used >= p.budget)
    placed = t.ngettext("{n} has placed all their dots", "{n} have placed all their dots", done).format(n=done)
    head = (f'<div><span class="ws-voted-count">{esc(t("{voted} of {total} have voted").format(voted=voted, total=len(progress)))}</span> '
            f'<span class="ws-muted">· {esc(placed)}</span></div>')
    chips = []
    for p in progress:
        if p.used >= p.budget:
            cls, mark = "ws-voter-done", "✓ "
        elif p.used > 0:
            cls, mark = "ws-voter-some", "… "
        else:
            cls, mark = "ws-voter-none", ""
        chips.append(f'<span class="ws-voter {cls}">{mark}{esc(p.name)}</span>')
    return head + f'<div class="ws-voters">{"".join(chips)}</div>'


def script_html(open_ballots: bool, t) -> str:
    """What the facilitator tells the room about the ballot: true for the ballot this workshop has."""
    if open_ballots:
        line = t("This is an open ballot: while you vote nobody sees your dots, but the export I keep afterwards "
                 "shows who placed which dots.")
    else:
        line = t("Nobody sees who voted for what — not even me. I only see who has voted, and the export lists "
                 "each ballot under a random id, never a name.")
    return (f'<p class="ws-script ws-ballot-{"open" if open_ballots else "secret"}"><b>{esc(t("Say:"))}</b> '
            f'“{esc(line)}”</p>')


class VotingPanel(Panel):
    """Rounds of dot voting until the target number of values remains."""

    def __init__(self, console, status):
        super().__init__(console, status)
        t = self.t
        wide = {"description_width": "initial"}
        self.stage_note = w.HTML()
        self.script = w.HTML()
        self.script.add_class("ws-ballot-script")
        self.rule_hint = w.HTML()
        self.budget = w.BoundedIntText(value=1, min=1, max=settings.MAX_BUDGET, description=t("Dots per person"),
                                       style=wide, layout=w.Layout(width="14em"))
        self.cap = w.BoundedIntText(value=0, min=0, max=settings.MAX_BUDGET,
                                    description=t("Most dots on one value (0 = no limit)"),
                                    style=wide, layout=w.Layout(width="22em"))
        self.keep = w.BoundedIntText(value=1, min=1, max=settings.MAX_VALUES, description=t("Values to keep"),
                                     style=wide, layout=w.Layout(width="13em"))
        for field, name in ((self.budget, "budget"), (self.cap, "cap"), (self.keep, "keep")):
            field.add_class(f"ws-round-{name}")
        self.open_button = button(t("Open round {n}").format(n=1), self._open, "primary", "play")
        self.open_button.add_class("ws-open-round")
        self.apply_button = button(t("Change the rules"), self._configure, "", "sliders")
        self.apply_button.add_class("ws-configure-round")
        self.form = w.VBox([self.rule_hint,
                            gapped(w.HBox([self.budget, self.cap, self.keep], layout=w.Layout(flex_flow="row wrap"))),
                            w.HBox([self.open_button, self.apply_button])])
        self.form.add_class("ws-round-form")

        self.round_info = w.HTML()
        self.voters = w.HTML()
        self.voters.add_class("ws-voter-list")
        self.close_button = button(t("Close the round and show the results"), self._close, "success", "check")
        self.close_button.add_class("ws-close-round")
        self.undo_button = button(t("Undo the last close"), self._undo, "", "undo")
        self.undo_button.add_class("ws-undo-round")
        self.live_box = w.VBox([self.round_info, self.voters])

        self.chosen = w.HTML()
        self.done = w.HTML()
        self.results = w.HTML()
        self.results.add_class("ws-round-results")
        self.history = w.HTML()

        self.settle_list = w.VBox()
        self.settle_button = button(t("Make these our values"), self._settle, "warning", "gavel")
        self.settle_button.add_class("ws-settle")
        # Folded away and off the shared screen: overruling the room is the exception.
        self.settle_box = private(w.Accordion(
            children=[w.VBox([w.HTML(f'<span class="ws-muted">{esc(t("Tick the values to keep and decide for the room instead of a run-off."))}</span>'),
                              self.settle_list, w.HBox([self.settle_button])])],
            titles=(t("The room cannot break the tie?"),), selected_index=None))
        self.settle_box.add_class("ws-settle-box")
        self._checks: dict[int, w.Checkbox] = {}
        self._form_for = None
        self._step = None

        # In the order of the talk: the open round and its Close button; the closed round's results;
        # the one button for the next step (or where to go when the vote is done); the undo.
        # No heading of its own: the pane's heading names the stage right above it.
        self.children = [stylesheet(CSS), self.stage_note, self.script,
                         self.live_box, w.HBox([self.close_button]), self.results, self.chosen, self.done,
                         self.form, w.HBox([self.undo_button]), self.feedback, self.settle_box, self.history]
        self.refresh(status)

    # ---- reading -----------------------------------------------------------------------
    def refresh(self, status) -> None:
        super().refresh(status)
        c, t = self.console, self.t
        rounds = voting.rounds(c.store, c.code)
        current = next((r for r in rounds if r.status == "open"), None)
        closed = [r for r in rounds if r.status == "closed"]
        progress = voting.progress(c.store, c.code, c.key) if current else []
        step = None if current else voting.next_step(c.store, c.code)
        self._step = step
        values = grouping.values(c.store, c.code)
        dropped = {x.value_id for r in closed for x in r.candidates if x.outcome == "dropped"}
        survivors = [v for v in values if v.id not in dropped]
        chosen = [v for v in values if v.chosen]
        in_voting = status.phase == phases.VOTING
        anyone_voted = any(p.used > 0 for p in progress)
        done = step is not None and step.done

        set_html(self.stage_note, self._stage_note(status, current, closed, step))
        show(self.stage_note, not (in_voting and done))
        set_html(self.script, script_html(ballots.open_ballots(c.store, c.code), t) if in_voting else "")
        show(self.form, in_voting and not done and (current is None or not anyone_voted))
        show(self.open_button, current is None)
        show(self.apply_button, current is not None)
        self._fill_form(current, step, survivors, status.vote_target)
        show(self.live_box, in_voting and current is not None)
        set_html(self.round_info, self._round_html(current) if current else "")
        set_html(self.voters, voters_html(progress, t) if current else "")
        show(self.close_button, in_voting and current is not None)
        show(self.undo_button, in_voting and bool(closed) and not anyone_voted)
        set_html(self.chosen, self._chosen_html(chosen))
        set_html(self.done, done_html(step, t) if in_voting and done else "")
        set_html(self.results, results_html(closed[-1], t) if closed else "")
        set_html(self.history, history_html(closed[:-1], t))
        runoff = current.is_runoff if current else bool(step and step.is_runoff)
        tied = ({x.value_id for x in current.candidates} if current else
                {x.value_id for x in step.values} if step else set())
        self._fill_settle(in_voting and runoff, survivors, tied)

    def _stage_note(self, status, current, closed, step) -> str:
        t = self.t
        if phases.index(status.phase) < phases.index(phases.VOTING):
            text = t("The vote starts at the stage “{stage}”. Move the workshop on when the values are named.").format(
                stage=t(phases.TITLES[phases.VOTING]))
        elif status.phase != phases.VOTING:
            text = t("The vote is over. These are its results.")
        elif step is not None and step.done:
            text = t("The vote is done. Move the workshop on to “{stage}”.").format(stage=t(phases.TITLES[phases.DRAFTING]))
        elif current is None and closed and step is not None and step.is_runoff:
            text = t("Round {n} is closed. Talk about the results with the room; phones show the run-off "
                     "ballot only when you open it.").format(n=closed[-1].number)
        elif current is None and closed:
            text = t("Round {n} is closed. Talk about the results with the room; phones show the next "
                     "ballot only when you open it.").format(n=closed[-1].number)
        elif current is None:
            text = t("Set the rules and open the next round. Participants see their ballot at once.")
        elif current.is_runoff:
            text = t("The run-off is open: participants vote again, on the tied values only. Close it when everyone has voted.")
        else:
            text = t("Participants are voting. Close the round when everyone has placed their dots.")
        return f'<p class="ws-muted ws-note">{esc(text)}</p>'

    def _fill_form(self, current, step, survivors, target) -> None:
        """Suggest the rules for the round to open; keep what the facilitator types meanwhile."""
        if current:
            n, runoff, keep = len(current.candidates), current.is_runoff, current.keep
            rules = (current.budget, current.cap or 0, keep)
        elif step is not None and not step.done:
            n, runoff, keep = len(step.values), step.is_runoff, step.keep
            rules = (step.budget, 0, keep)
        else:
            n, runoff = len(survivors), False
            rules = (voting.default_budget(n), 0, max(1, min(target, n)))
        label = step_label(step, self.t) if step is not None and not step.done else None
        key = (current.number if current else None, n, rules, label)
        if key == self._form_for:
            return
        self._form_for = key
        self.keep.max = max(1, n)
        self.budget.value, self.cap.value, self.keep.value = rules
        show(self.keep, not runoff)  # a run-off's places are set by the round before
        t = self.t
        hint = t("{n} values on the ballot. Rule of thumb: a third as many dots as values, here {dots}.").format(
            n=n, dots=voting.default_budget(n))
        if runoff:
            hint += " " + t.ngettext("The run-off fills {places} place among the tied values.",
                                     "The run-off fills {places} places among the tied values.",
                                     rules[2]).format(places=rules[2])
        else:
            hint += " " + t("The vote goes on until {target} values remain (the target is set at the Setup stage).").format(
                target=target)
        if current:
            hint += " " + t("The rules can change until the first dot is placed.")
        set_html(self.rule_hint, f"<p>{esc(hint)}</p>")
        if label:
            self.open_button.description = label

    def _round_html(self, r) -> str:
        t = self.t
        names = ", ".join(esc(c.name) for c in r.candidates)
        if r.is_runoff:
            title = t("Run-off (round {n}) is open").format(n=r.number)
            rule = t.ngettext("{places} place to fill among the tied values.",
                              "{places} places to fill among the tied values.", r.keep).format(places=r.keep)
        else:
            title = t("Round {n} is open").format(n=r.number)
            rule = t("The top {keep} stay.").format(keep=r.keep)
        dots = t.ngettext("{budget} dot each", "{budget} dots each", r.budget).format(budget=r.budget)
        if r.cap:
            dots += ", " + t("at most {cap} on one value").format(cap=r.cap)
        return (f'<h3>{esc(title)}</h3><p>{esc(dots)}. {esc(rule)}</p>'
                f'<p><span class="ws-muted">{esc(t("On the ballot:"))}</span> {names}</p>')

    def _chosen_html(self, chosen) -> str:
        if not chosen:
            return ""
        t = self.t
        names = "".join(f"<b>{esc(v.name)}</b>" for v in chosen)
        return (f'<div class="ws-chosen"><h3>{esc(t("Our {n} core values").format(n=len(chosen)))}</h3>'
                f"{names}</div>")

    def _fill_settle(self, visible: bool, survivors, tied: set[int]) -> None:
        show(self.settle_box, visible)
        if not visible:
            return
        ids = tuple(v.id for v in survivors)
        if ids == tuple(self._checks):
            return
        self._checks = {v.id: w.Checkbox(value=v.id not in tied, description=v.name, indent=False)
                        for v in survivors}
        self.settle_list.children = list(self._checks.values())

    # ---- actions -----------------------------------------------------------------------
    def _rules(self, runoff: bool):
        cap = self.cap.value or None
        return self.budget.value, cap, None if runoff else self.keep.value

    def _open(self) -> None:
        """Open the step the results call for, exactly the one the button names."""
        step = self._step
        runoff = bool(step and step.is_runoff)
        budget, cap, keep = self._rules(runoff)
        number = self.act(voting.open_round, budget=budget, cap=cap, keep=keep,
                          expect=step.kind if step else None)
        if number is not None:
            text = self.t("Run-off (round {n}) is open") if runoff else self.t("Round {n} is open.")
            self.feedback.ok(text.format(n=number))

    def _configure(self) -> None:
        current = next((r for r in voting.rounds(self.console.store, self.console.code) if r.status == "open"), None)
        budget, cap, keep = self._rules(bool(current and current.is_runoff))
        self.act(voting.configure_round, budget, cap=cap, keep=keep,
                 success=self.t("The new rules apply to this round."))

    def _close(self) -> None:
        result = self.act(voting.close_round)
        if result is not None:
            self.feedback.ok(self.t("Round {n} is closed.").format(n=result.number))

    def _undo(self) -> None:
        number = self.act(voting.reopen_last_round)
        if number is not None:
            self.feedback.ok(self.t("Round {n} is open again, with its votes.").format(n=number))

    def _settle(self) -> None:
        ids = [vid for vid, box in self._checks.items() if box.value]
        self.act(voting.settle, ids, success=self.t("The values are decided."))
