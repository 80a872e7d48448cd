"""The employee survey: per value, how clear it is (1 to 5) and what it means for one's daily work."""

from __future__ import annotations

import ipywidgets as w

from workshop.core.errors import N_
from workshop.domain import grouping
from workshop.domain.followup import survey
from workshop.widgets.kit import Feedback, esc, labelled, run_action
from workshop.widgets.participant.base import full_width, note
from workshop.widgets.participant.followup import FollowUpApp, team_options
from workshop.widgets.participant.rating import RATING_CSS, ScoreControl


class ValueQuestion(w.VBox):
    """One value: clarity buttons, a text box, Save."""

    def __init__(self, view: "SurveyView", value, mine: survey.MyAnswer | None):
        super().__init__()
        self.view, self.value_id = view, value.id
        t = view.t
        self.add_class("ws-value")
        self.add_class("ws-survey-value")
        desc = f"<div>{esc(value.description)}</div>" if value.description else ""
        action = f'<div class="ws-muted">{esc(value.action_statement)}</div>' if value.action_statement else ""
        self.feedback = Feedback()
        # The rating view's radio group (fieldset, legend, checked state, arrow keys), not a row of buttons.
        self.clarity = ScoreControl(title=t("How clear is this value to you?"),
                                    explanation=t("1 = not clear at all, 5 = perfectly clear"),
                                    low=survey.LOWEST, high=survey.HIGHEST,
                                    value=None if mine is None else int(mine.clarity))
        self.clarity.add_class("ws-clarity")
        self.meaning = full_width(w.Textarea(value="" if mine is None else mine.meaning, rows=2,
                                             placeholder=t("In my daily work this means…")))
        # Named for its value: every value on the page has the same question above its box.
        labelled(self.meaning, t("What does “{value}” mean for your daily work?").format(value=value.name),
                 visible=False)
        self.meaning.add_class("ws-meaning")
        self.save = w.Button(description=t("Save"), button_style="primary")
        self.save.add_class("ws-save-answer")
        self.save.on_click(lambda _: self._save())
        self.saved = mine is not None
        self.children = [
            w.HTML(f"<h3>{esc(value.name)}</h3>{desc}{action}"),
            w.HTML(RATING_CSS), self.clarity,
            w.HTML(f'<div class="ws-question">{esc(t("What does it mean for your daily work?"))}</div>'),
            self.meaning, self.save, self.feedback]
        if self.saved:
            self.feedback.ok(t("Saved."))

    def _save(self) -> None:
        v, t = self.view, self.view.t
        if self.clarity.value is None:
            self.feedback.error(t("Please pick how clear it is, from 1 to 5."))
            return
        done = run_action(self.feedback, t, survey.answer, v.app.store, v.app.code, v.app.visitor.token,
                          self.value_id, int(self.clarity.value), self.meaning.value, success=t("Saved."))
        if done is not None:
            self.saved = True
            v.count()


class SurveyView(w.VBox):
    def __init__(self, app: "SurveyApp"):
        super().__init__()
        self.app, self.t = app, app.t
        t = self.t
        visitor = app.visitor
        me = survey.whoami(visitor.store, visitor.code, visitor.token)
        mine = survey.my_answers(visitor.store, visitor.code, visitor.token)
        values = grouping.values(visitor.store, visitor.code, only_chosen=True)
        self.feedback = Feedback()
        self.team = w.Dropdown(options=team_options(t), value=me.team or None, description=t("My team"))
        self.team.add_class("ws-team")
        self.team.observe(self._team, "value")
        self.progress = w.HTML()
        self.questions = [ValueQuestion(self, v, mine.get(v.id)) for v in values]
        intro = note(t("Our leadership team wrote these values. Tell us what each one means in your daily "
                       "work and how clear it is. Your name is never shown with your answers; only your team is."))
        vision = (f'<div class="ws-quote">“{esc(app.status.vision)}”</div>' if app.status.vision else "")
        self.children = [intro, w.HTML(vision), w.HBox([self.team]), self.feedback, self.progress,
                         *self.questions]
        self.count()

    def count(self) -> None:
        done = sum(q.saved for q in self.questions)
        total = len(self.questions)
        self.progress.value = ("<p><b>" + esc(self.t.ngettext("{done} of {total} value answered",
                                                               "{done} of {total} values answered", total).format(
            done=done, total=total)) + "</b></p>")

    def _team(self, change) -> None:
        if change["new"]:
            v = self.app.visitor
            run_action(self.feedback, self.t, survey.set_team, v.store, v.code, v.token, change["new"],
                       success=self.t("Saved."))


class SurveyApp(FollowUpApp):
    role = survey.ROLE
    title = N_("What our values mean to you")
    welcome = N_("Welcome! This short survey asks how you read our customer service values.")
    asks_team = True
    team_required = True
    # A hundred people answer at once: no polling; every save is checked by the domain anyway.
    live_interval = None

    def join(self, name, team, request_id=None):
        return survey.join(self.store, self.code, name, team, secret=self.secret, request_id=request_id)

    def check(self, token):
        survey.whoami(self.store, self.code, token)

    def make_view(self):
        return SurveyView(self)
