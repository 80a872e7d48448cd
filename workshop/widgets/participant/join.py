"""The first screens: the join code when the link carried none, then a name (or anonymous) and Join."""

from __future__ import annotations

from typing import Callable

import ipywidgets as w

from workshop.core.errors import N_
from workshop.domain import workshops
from workshop.domain.workshops import Joined, Status
from workshop.widgets.kit import Feedback, esc, labelled, run_action
from workshop.widgets.participant.base import full_width
from workshop.widgets.requests import Gestures
from workshop.widgets.sendbutton import SendButton

#: The join screen's heading (h2 under the workshop's title) and the tab's title before joining.
JOINING = N_("Join the workshop")
#: Under the form while Join is on its way: with a whole room joining in the same second it
#: can take a minute (the join waits its turn for the database; see settings.JOIN_PATIENCE_S).
JOIN_UNDER_WAY = N_("Joining… When many people join at the same moment this can take a minute. "
                    "Please keep this page open.")


class JoinForm(w.VBox):
    """Built before the visitor arrives (no workshop yet, button disabled); ``configure``
    then fills in the workshop's language and anonymity by changing a few values."""

    def __init__(self, store, status: Status | None, t, on_joined: Callable[[Joined], None],
                 join: Callable[..., Joined] | None = None):
        super().__init__()
        self.store, self.status, self.on_joined = store, status, on_joined
        #: The page's guarded join (one page, one person); the bare domain action by default.
        self.join = join or (lambda code, name, **kw: workshops.join(self.store, code, name=name, **kw))
        self.add_class("ws-join")
        self.feedback = Feedback()
        # The app's header already shows the workshop's title above this form.
        self.intro = w.HTML()
        self.explain = w.HTML()
        self.name = full_width(w.Text(continuous_update=False))
        self.name.add_class("ws-name")
        # Join, by click or by Enter in the name box, carries the name as typed (see SendButton).
        self.button = SendButton([self.name], button_style="primary", disabled=True, submit_on_enter=True)
        self.button.add_class("ws-join-button")
        self.button.on_click(lambda _: self._join())
        self.children = [self.intro, self.explain, self.name, self.button, self.feedback]
        #: One request id per Join click, the same while it is retried: one participant, not two.
        self.gestures = Gestures()
        self.configure(status, t)

    def configure(self, status: Status | None, t) -> None:
        self.status, self.t = status, t
        self.intro.value = (f'<h2 class="ws-title ws-stage-heading" tabindex="-1">{esc(t(JOINING))}</h2>'
                            f'<p>{esc(t("Welcome! You are joining a workshop on our customer service philosophy."))}</p>')
        labelled(self.name, t("Your name"))  # a visible label, in the reader's language
        anonymous = bool(status and status.anonymous)
        self.explain.value = (f"<p>{esc(t('This workshop is anonymous: nobody will see who wrote what.'))}</p>"
                              if anonymous else "")
        self.name.layout.display = "none" if anonymous else None
        self.button.description = t("Join anonymously") if anonymous else t("Join")
        self.button.disabled = status is None

    def _join(self) -> None:
        if self.status is None:
            return
        name = None if self.status.anonymous else self.name.value
        self.button.disabled = True
        # Sent before the action blocks this kernel: the comm message leaves by the IOPub thread.
        self.feedback.working(self.t(JOIN_UNDER_WAY))
        try:
            joined = run_action(self.feedback, self.t, self.join, self.status.code, name,
                                request_id=self.gestures.id_for(self.status.code, name))
        finally:
            self.button.disabled = False
        if joined is not None:
            self.gestures.done(self.status.code, name)
            self.on_joined(joined)


class CodeEntry(w.VBox):
    """For a visitor who opened the page without a link: type the join code the facilitator gave."""

    def __init__(self, t, on_code: Callable[[str], str | None]):
        super().__init__()
        self.t, self.on_code = t, on_code
        self.add_class("ws-code-entry")
        self.feedback = Feedback()
        self.code = labelled(w.Text(continuous_update=False, layout=w.Layout(width="12em")), t("Join code"))
        self.code.add_class("ws-code-input")
        self.button = SendButton([self.code], t("Open"), button_style="primary", submit_on_enter=True)
        self.button.add_class("ws-code-button")
        self.button.on_click(lambda _: self._open())
        self.children = [w.HTML(f"<p>{esc(t('Type the join code your facilitator shared (letters and digits).'))}</p>"),
                         w.HBox([self.code, self.button], layout=w.Layout(flex_flow="row wrap")), self.feedback]

    def _open(self) -> None:
        problem = self.on_code(self.code.value)
        if problem:
            self.feedback.error(problem)
