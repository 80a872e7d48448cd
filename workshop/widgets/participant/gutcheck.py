"""The stakeholder's gut check: the chosen vision and values, and one quick reaction."""

from __future__ import annotations

import ipywidgets as w

from workshop.core.errors import N_
from workshop.domain import grouping
from workshop.domain.followup import stakeholders
from workshop.widgets.kit import Feedback, esc, labelled, run_action
from workshop.widgets.participant.base import full_width, note
from workshop.widgets.participant.followup import FollowUpApp
from workshop.widgets.participant.rating import RATING_CSS, ScoreControl


def values_html(values, t) -> str:
    parts = []
    for v in values:
        desc = f"<div>{esc(v.description)}</div>" if v.description else ""
        action = (f'<div class="ws-muted">{esc(t("Action statement"))}: {esc(v.action_statement)}</div>'
                  if v.action_statement else "")
        parts.append(f'<div class="ws-value"><h4>{esc(v.name)}</h4>{desc}{action}</div>')
    return "".join(parts)


class GutCheckView(w.VBox):
    def __init__(self, app: "StakeholderApp"):
        super().__init__()
        self.app, self.t = app, app.t
        t = self.t
        self.feedback = Feedback()
        self.vision = w.HTML()
        self.vision.add_class("ws-gut-vision")
        self.values = w.HTML()
        self.state = w.HTML()
        # The question is the radio group's legend; each reaction a labelled radio (checked state,
        # arrow keys within the group), the rating view's control with labelled options.
        self.choice = ScoreControl(title=t("Does this vision land with you?"),
                                   options=[(r, t(stakeholders.TITLES[r])) for r in stakeholders.REACTIONS])
        self.choice.add_class("ws-reaction")
        self.comment = labelled(full_width(w.Textarea(rows=3)), t("Anything to add? (optional)"))
        self.comment.add_class("ws-comment")
        self.send = w.Button(description=t("Send my reaction"), button_style="primary")
        self.send.add_class("ws-send-reaction")
        self.send.on_click(lambda _: self._submit())
        self.form = w.VBox([w.HTML(RATING_CSS), self.choice, self.comment, self.send])
        self.children = [note(t("The team chose this vision for our customer service. It is judged by feel: "
                                "tell us honestly whether it lands.")),
                         self.vision, self.values, self.state, self.form, self.feedback]
        self._vision_text = None
        self.refresh(app.status)

    def refresh(self, status) -> None:
        v = self.app.visitor
        mine = stakeholders.gut_check(v.store, v.code, v.token)
        t = self.t
        if mine.vision != self._vision_text:
            self._vision_text = mine.vision
            self.vision.value = f'<div class="ws-quote">“{esc(mine.vision)}”</div>' if mine.vision else ""
            chosen = grouping.values(v.store, v.code, only_chosen=True)
            self.values.value = f"<h3>{esc(t('Our support values'))}</h3>" + values_html(chosen, t)
            if mine.mine is not None and mine.mine.current:
                self.choice.value = mine.mine.reaction
                self.comment.value = mine.mine.comment
        if not mine.open:
            text = (t("The team is reworking the vision. Come back to this link later.") if mine.vision
                    else t("The vision has not been chosen yet. Come back to this link later."))
            self.state.value = f'<div class="ws-banner">{esc(text)}</div>'
        elif mine.mine is not None and not mine.mine.current:
            self.state.value = f'<div class="ws-banner">{esc(t("The vision was reworded since your last reaction. Please look again."))}</div>'
        elif mine.mine is not None:
            self.state.value = f'<p class="ws-saved">{esc(t("Thank you! You can change your reaction at any time."))}</p>'
        else:
            self.state.value = ""
        self.form.layout.display = None if mine.open else "none"

    def _submit(self) -> None:
        v = self.app.visitor
        if self.choice.value is None:
            self.feedback.error(self.t("Please choose one of the three reactions."))
            return
        done = run_action(self.feedback, self.t, stakeholders.react, v.store, v.code, v.token,
                          self.choice.value, self.comment.value, success=self.t("Thank you! Your reaction was saved."))
        if done is not None:
            self.refresh(self.app.status)


class StakeholderApp(FollowUpApp):
    role = stakeholders.ROLE
    title = N_("Gut check")
    welcome = N_("You are invited to give your first reaction to our new customer service vision.")

    def join(self, name, team, request_id=None):
        return stakeholders.join(self.store, self.code, name, secret=self.secret, request_id=request_id)

    def check(self, token):
        stakeholders.gut_check(self.store, self.code, token)

    def make_view(self):
        return GutCheckView(self)
