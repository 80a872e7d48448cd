"""The values benchmark: profile questions per value, the exemplars' link, and the sheet for interviewers."""

from __future__ import annotations

import ipywidgets as w

from workshop.domain.followup import hiring, teams
from workshop.outputs import csvfile
from workshop.widgets.facilitator.base import Panel, button, hint, private, section, set_children, set_html
from workshop.widgets.facilitator.followup import CSS, file_link, link_box
from workshop.widgets.kit import Feedback, esc, labelled, run_action, stylesheet


def sheet_html(sheet: hiring.Benchmark, t) -> str:
    joined = t.ngettext("{n} exemplary team member has joined.", "{n} exemplary team members have joined.",
                        sheet.exemplars).format(n=sheet.exemplars)
    parts = [f'<p class="ws-muted">{esc(joined)}</p>']
    for v in sheet.values:
        if not v.questions:
            continue
        parts.append(f"<h4>{esc(v.name)}</h4>")
        for q in v.questions:
            parts.append(f'<div class="ws-q">{esc(q.text)}</div>')
            for a in q.answers:
                team = f" · {esc(t(teams.TITLES[a.team]))}" if a.team in teams.TITLES else ""
                parts.append(f'<div class="ws-a"><b>{esc(a.name)}</b>{team}: {esc(a.answer)}</div>')
            if not q.answers:
                parts.append(f'<div class="ws-muted">{esc(t("No answers yet."))}</div>')
    return '<div class="ws-sheet">' + "".join(parts) + "</div>"


class QuestionRow(w.HBox):
    def __init__(self, panel: "HiringPanel", question: hiring.Question):
        super().__init__(layout=w.Layout(width="100%", align_items="center", flex_flow="row wrap"))
        self.panel, self.question_id = panel, question.id
        t = panel.t
        self.text = w.Text(value=question.text, layout=w.Layout(flex="1 1 320px"))
        self.text.add_class("ws-question-text")
        self.children = [self.text, button(t("Save"), self._save), button(t("Remove"), self._remove, icon="trash")]

    def _save(self) -> None:
        self.panel.act(hiring.edit_question, self.question_id, self.text.value, success=self.panel.t("Saved."))

    def _remove(self) -> None:
        self.panel.act(hiring.remove_question, self.question_id)
        self.panel.load_questions(force=True)


class HiringPanel(Panel):
    def __init__(self, console, status):
        super().__init__(console, status)
        t = self.t
        self.value = w.Dropdown(options=[], description=t("Value"))
        self.value.add_class("ws-hiring-value")
        self.value.observe(lambda _: self.load_questions(force=True), "value")
        self.questions = w.VBox()
        self.new = labelled(w.Text(layout=w.Layout(flex="1 1 320px")), t("A new profile question for this value"),
                            visible=False)
        self.new.add_class("ws-new-question")
        self.add = button(t("Add question"), self._add, "primary", "plus")
        self.suggest = button(t("Add suggested questions"), self._suggest, "", "lightbulb-o")
        self.suggest.add_class("ws-suggest-questions")
        self.sheet = w.HTML()
        self.sheet.add_class("ws-benchmark-sheet")
        self.prepare = button(t("Prepare the benchmark CSV"), self._csv, "", "download")
        self.download = w.HTML()
        self.csv_feedback = Feedback()
        self._values: list = []
        self._shape = None
        self.children = [
            stylesheet(CSS),
            # No heading of its own: the pane's heading ("Hiring") names the stage right above it.
            hint(t("For each value, ask a few profile questions. The colleagues who best embody the values answer "
                   "them; their answers are the benchmark interviewers compare candidates with.")),
            private(w.VBox([
                self.value, self.questions,
                w.HBox([self.new, self.add, self.suggest], layout=w.Layout(flex_flow="row wrap", width="100%")),
                link_box(t, console, "exemplar", t("Link for exemplary team members")),
            ])),
            self.feedback,
            section(t("Benchmark sheet")), self.sheet,
            private(w.HBox([self.prepare, self.download], layout=w.Layout(align_items="center"))), self.csv_feedback,
        ]
        self.refresh(status)

    def refresh(self, status) -> None:
        super().refresh(status)
        c = self.console
        asked = hiring.questions(c.store, c.code)
        shape = [(v.value_id, v.name) for v in asked]
        if shape != self._values:
            self._values = shape
            self.value.options = [(name, vid) for vid, name in shape]
            if self.value.value is None and shape:
                self.value.value = shape[0][0]  # a new list of options selects nothing by itself
        self.load_questions(asked)
        set_html(self.sheet, sheet_html(hiring.benchmark(c.store, c.code, c.key), self.t))

    def load_questions(self, asked=None, force: bool = False) -> None:
        c = self.console
        asked = asked if asked is not None else hiring.questions(c.store, c.code)
        chosen = next((v for v in asked if v.value_id == self.value.value), None)
        questions = chosen.questions if chosen else []
        shape = (self.value.value, [(q.id, q.text) for q in questions])
        if shape == self._shape and not force:
            return
        self._shape = shape
        rows = [QuestionRow(self, q) for q in questions]
        if not rows and chosen is not None:
            rows = [hint(self.t("No questions for this value yet: add your own or the suggested ones."))]
        set_children(self.questions, rows)

    def _add(self) -> None:
        if self.value.value is None:
            return
        self.act(hiring.add_question, self.value.value, self.new.value, success=self.t("Added."))
        if self.succeeded:
            self.new.value = ""
            self.load_questions(force=True)

    def _suggest(self) -> None:
        if self.value.value is None:
            return
        added = self.act(hiring.add_suggested_questions, self.value.value)
        if self.succeeded:
            self.feedback.ok(self.t.ngettext("{n} question added.", "{n} questions added.", len(added)).format(n=len(added)))
            self.load_questions(force=True)

    def _csv(self) -> None:
        c, t = self.console, self.t
        data = run_action(self.csv_feedback, t, csvfile.benchmark_csv, c.store, c.code, c.key)
        if data is not None:
            set_html(self.download, file_link(data, f"benchmark-{c.code}.csv", t("Download the benchmark CSV"),
                                              "text/csv"))
