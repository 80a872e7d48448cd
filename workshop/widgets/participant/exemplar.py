"""The values benchmark: exemplary team members answer the profile questions for each value."""

from __future__ import annotations

import ipywidgets as w

from workshop.core.errors import N_
from workshop.domain.followup import hiring
from workshop.widgets.kit import Feedback, esc, labelled, run_action
from workshop.widgets.participant.base import full_width, note
from workshop.widgets.participant.followup import FollowUpApp


class QuestionAnswer(w.VBox):
    def __init__(self, view: "BenchmarkView", question, answer: str):
        super().__init__()
        self.view, self.question_id = view, question.id
        t = view.t
        self.feedback = Feedback()
        self.text = w.HTML()
        self.answer = full_width(w.Textarea(value=answer, rows=3, placeholder=t("Your answer, in your own words")))
        self.answer.add_class("ws-benchmark-answer")
        self.save = w.Button(description=t("Save"), button_style="primary")
        self.save.on_click(lambda _: self._save())
        self.children = [self.text, self.answer, self.save, self.feedback]
        self.show(question)

    def show(self, question) -> None:
        html = f'<div class="ws-question">{esc(question.text)}</div>'
        if self.text.value != html:
            self.text.value = html
            labelled(self.answer, question.text, visible=False)  # the box is named by its question

    def _save(self) -> None:
        v = self.view
        run_action(self.feedback, v.t, hiring.answer, v.app.store, v.app.code, v.app.visitor.token,
                   self.question_id, self.answer.value, success=v.t("Saved."))


class BenchmarkView(w.VBox):
    def __init__(self, app: "ExemplarApp"):
        super().__init__()
        self.app, self.t = app, app.t
        self.list = w.VBox()
        self._rows: dict[int, QuestionAnswer] = {}
        self._shape = None
        self.children = [note(self.t("You were asked because you live our values every day. Interviewers will "
                                     "compare candidates' answers with yours, so answer honestly and concretely.")),
                         self.list]
        self.refresh(app.status)

    def refresh(self, status) -> None:
        v = self.app.visitor
        asked = hiring.questions(v.store, v.code)
        shape = [(value.value_id, [q.id for q in value.questions]) for value in asked]
        if shape == self._shape:
            for value in asked:
                for q in value.questions:
                    self._rows[q.id].show(q)
            return
        self._shape = shape
        mine = hiring.my_answers(v.store, v.code, v.token)
        blocks = []
        for value in asked:
            if not value.questions:
                continue
            rows = []
            for q in value.questions:
                # Keep the widget (and any unsaved typing) of a question already on screen.
                row = self._rows.get(q.id) or QuestionAnswer(self, q, mine.get(q.id, ""))
                row.show(q)
                self._rows[q.id] = row
                rows.append(row)
            box = w.VBox([w.HTML(f"<h3>{esc(value.name)}</h3>"), *rows])
            box.add_class("ws-value")
            blocks.append(box)
        if not blocks:
            blocks = [note(self.t("The facilitator has not written any questions yet. This page updates by itself."))]
        self.list.children = blocks


class ExemplarApp(FollowUpApp):
    role = hiring.ROLE
    title = N_("Values benchmark")
    welcome = N_("Welcome! Your answers will become the benchmark for hiring people who share our values.")
    asks_team = True
    live_interval = 3.0

    def join(self, name, team, request_id=None):
        return hiring.join(self.store, self.code, name, team, secret=self.secret, request_id=request_id)

    def check(self, token):
        hiring.my_answers(self.store, self.code, token)

    def make_view(self):
        return BenchmarkView(self)
