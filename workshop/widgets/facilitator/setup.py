"""Setup (01): the workshop's details and step 0, the customer-needs questions."""

from __future__ import annotations

import ipywidgets as w

from workshop.core import phases
from workshop.domain import ballots, workshops
from workshop.domain.workshops import GROUNDING_TOPICS
from workshop.i18n import LANGUAGES
from workshop.widgets.facilitator.base import Panel, button, hint, section
from workshop.widgets.kit import labelled

LABEL = w.Layout(width="100%")


def _field(widget: w.Widget, label: str) -> w.VBox:
    if isinstance(widget, (w.Dropdown, w.BoundedIntText)):
        # The menu and the number field: a real <label for> (their name for screen readers, issue 15).
        widget.description = label
        widget.style.description_width = "initial"
        widget.layout.width = "auto"
        return w.VBox([widget], layout=w.Layout(width="100%", margin="2px 0"))
    # A text box: its label above it, tied to it (its name; the bold line it replaces was not).
    return w.VBox([labelled(widget, label)], layout=w.Layout(width="100%", margin="2px 0"))


class SetupPanel(Panel):
    """Fields are refreshed from the database only while untouched, so typing is never overwritten."""

    def __init__(self, console, status):
        super().__init__(console, status)
        t = self.t
        self.title = w.Text(layout=LABEL)
        self.company = w.Text(layout=LABEL)
        self.purpose = w.Textarea(rows=2, layout=LABEL,
                                  placeholder=t("Powering Human Connections"))
        self.question = w.Textarea(rows=2, layout=LABEL)
        self.language = w.Dropdown(options=[(name, code) for code, name in LANGUAGES.items()],
                                   layout=w.Layout(width="12em"))
        self.anonymous = w.Checkbox(description=t("Anonymous: nobody sees names, not even you"), indent=False,
                                    layout=w.Layout(width="auto"))
        self.vote_target = w.BoundedIntText(min=1, max=15, layout=w.Layout(width="6em"))
        self.open_ballots = w.Checkbox(description=t("Open ballots: the export shows who placed which dots and scores"),
                                       indent=False, layout=w.Layout(width="auto"))
        self.open_ballots.add_class("ws-open-ballots")
        self._ballots_known: bool | None = None
        self.open_ballots.observe(self._ballots_changed, "value")
        self.details = {"title": self.title, "company": self.company, "purpose": self.purpose,
                        "question": self.question, "language": self.language, "anonymous": self.anonymous,
                        "vote_target": self.vote_target}
        self._known: dict[str, object] = {}
        self.save_details = button(t("Save details"), self._save_details, style="primary", icon="save")
        self.save_details.add_class("ws-save-details")

        self.answers = {topic: w.Textarea(rows=2, layout=LABEL) for topic in GROUNDING_TOPICS}
        self._known_answers: dict[str, str] = {}
        self.save_answers = button(t("Save answers"), self._save_answers, style="primary", icon="save")
        self.save_answers.add_class("ws-save-answers")
        self.answers_feedback = type(self.feedback)()

        self.children = [
            section(t("The workshop")),
            _field(self.title, t("Title")),
            _field(self.company, t("Company")),
            _field(self.purpose, t("Our purpose (the company's mission, in a few words)")),
            _field(self.question, t("The brainstorm question")),
            w.HBox([_field(self.language, t("Language")), _field(self.vote_target, t("Values to keep after the vote"))],
                   layout=w.Layout()),
            self.anonymous,
            hint(t("Anonymity can only change before anyone joins; the question only until the brainstorm ends.")),
            self.open_ballots,
            hint(t("Ballots are secret unless you tick this: the export lists each ballot under a random id, "
                   "never a name. This can only change before anyone has voted.")),
            w.HBox([self.save_details]), self.feedback,
            section(t("Step 0: ground it in customer needs")),
            hint(t("Ask these before the brainstorm and type the room's answers; they are part of the final philosophy.")),
            *[_field(box, t(GROUNDING_TOPICS[topic])) for topic, box in self.answers.items()],
            w.HBox([self.save_answers]), self.answers_feedback,
        ]
        self.refresh(status)

    def refresh(self, status) -> None:
        super().refresh(status)
        server = {"title": status.title, "company": status.company, "purpose": status.purpose,
                  "question": self.t(status.question), "language": status.language, "anonymous": status.anonymous,
                  "vote_target": status.vote_target}
        for name, widget in self.details.items():
            # Only a field the facilitator has not touched follows the database.
            if name not in self._known or widget.value == self._known[name]:
                if widget.value != server[name]:
                    widget.value = server[name]
            self._known[name] = server[name]
        self.question.disabled = phases.index(status.phase) > phases.index(phases.BRAINSTORM)
        self.anonymous.disabled = status.participants > 0
        is_open, changeable = ballots.ballot_state(self.console.store, self.console.code)
        self._ballots_known = is_open
        if self.open_ballots.value != is_open:
            self.open_ballots.value = is_open
        self.open_ballots.disabled = not changeable
        answers = workshops.grounding(self.console.store, self.console.code)
        for topic, box in self.answers.items():
            if topic not in self._known_answers or box.value == self._known_answers[topic]:
                if box.value != answers[topic]:
                    box.value = answers[topic]
            self._known_answers[topic] = answers[topic]

    def _save_details(self) -> None:
        changed = {name: widget.value for name, widget in self.details.items()
                   if widget.value != self._known.get(name)}
        if not changed:
            self.feedback.ok(self.t("Nothing to save: no field has changed."))
            return
        self.act(workshops.update_details, **changed, success=self.t("Saved."))
        if self.succeeded:  # show the text as stored (trimmed), so the field is clean again
            for name in changed:
                self.details[name].value = self._known[name]

    def _ballots_changed(self, change) -> None:
        if self._ballots_known is None or change["new"] == self._ballots_known:
            return  # set by refresh, not by a click
        t = self.t
        self.act(ballots.set_open_ballots, bool(change["new"]),
                 success=t("Open ballots: the export will show who voted for what.") if change["new"]
                 else t("Secret ballots: the export will show ballots, never names."))
        if self.succeeded:
            self._ballots_known = bool(change["new"])
        else:
            self.open_ballots.value = self._ballots_known

    def _save_answers(self) -> None:
        changed = {topic: box.value for topic, box in self.answers.items()
                   if box.value != self._known_answers.get(topic)}
        if not changed:
            self.answers_feedback.ok(self.t("Nothing to save: no answer has changed."))
            return
        feedback, self.feedback = self.feedback, self.answers_feedback
        try:
            for topic, answer in changed.items():
                self.act(workshops.set_grounding, topic, answer)
                if not self.succeeded:
                    return
        finally:
            self.feedback = feedback
        for topic in changed:
            self.answers[topic].value = self._known_answers[topic]
        self.answers_feedback.ok(self.t.ngettext("Saved {n} answer.", "Saved {n} answers.", len(changed)).format(
            n=len(changed)))

