"""The stakeholder gut check: the link for people outside the room, the live tally, reopening drafting."""

from __future__ import annotations

import ipywidgets as w

from workshop.domain.followup import stakeholders
from workshop.widgets.facilitator.base import Panel, button, hint, private, section, set_html
from workshop.widgets.facilitator.followup import CSS, bar_row, link_box
from workshop.widgets.kit import esc, show, stylesheet

COLORS = {stakeholders.LANDS: "#12b76a", stakeholders.UNSURE: "#f79009", stakeholders.NO: "#f04438"}


def tally_html(tally: stakeholders.Tally, t) -> str:
    if not tally.vision:
        return f"<p>{esc(t('No final vision yet: choose one at the Vision stage first.'))}</p>"
    top = max([tally.total, 1])
    if tally.hidden:
        note = t("The reactions are counted once {n} stakeholders have reacted: with fewer, each one could be "
                 "told apart. Until then they are hidden here, in the comments and in the export.").format(
            n=stakeholders.MIN_SEGMENT)
        rows = f'<p class="ws-banner ws-tally-hidden">{esc(note)}</p>'
    else:
        rows = "".join(bar_row(t(stakeholders.TITLES[r]), tally.counts[r], top, COLORS[r], f"ws-tally-{r}")
                       for r in stakeholders.REACTIONS)
    facts = t.ngettext("{n} of {joined} stakeholder reacted to this wording.",
                       "{n} of {joined} stakeholders reacted to this wording.",
                       tally.stakeholders).format(n=tally.total, joined=tally.stakeholders)
    if tally.earlier:
        facts += " " + t("{n} reacted to an earlier wording; they can look again.").format(n=tally.earlier)
    return (f'<div class="ws-quote-small"><b>“{esc(tally.vision)}”</b></div>{rows}'
            f'<p class="ws-muted">{esc(facts)}</p>')


def comments_html(tally: stakeholders.Tally, t) -> str:
    if not tally.comments:
        return f'<p class="ws-muted">{esc(t("No comments yet."))}</p>'
    items = []
    for c in tally.comments:
        earlier = "" if c.current else f' <span class="ws-muted">({esc(t("on an earlier wording"))})</span>'
        items.append(f'<div class="ws-comment-item{"" if c.current else " ws-earlier"}">'
                     f'<b>{esc(c.name)}</b>'
                     + (f' · {esc(t(stakeholders.TITLES[c.reaction]))}' if c.reaction else "")
                     + f'{earlier}<br>'
                     f'{esc(c.comment)}</div>')
    return "".join(items)


class GutCheckPanel(Panel):
    def __init__(self, console, status):
        super().__init__(console, status)
        t = self.t
        self.state = w.HTML()
        self.tally = w.HTML()
        self.tally.add_class("ws-gut-tally")
        self.comments = w.HTML()
        self.comments.add_class("ws-gut-comments")
        self.reopen = button(t("It does not land: reopen drafting"), self._reopen, "warning", "undo")
        self.reopen.add_class("ws-reopen-drafting")
        self.children = [
            stylesheet(CSS),
            # No heading of its own: the pane's heading ("Gut check") names the stage right above it.
            hint(t("Send this link to a few key people who were not in the room. They see the vision and the "
                   "values and give a quick reaction. If it does not land, the vision needs more work.")),
            private(link_box(t, console, "stakeholder", t("Link for stakeholders"))),
            self.state, self.tally,
            section(t("Comments")), self.comments,
            private(w.VBox([hint(t("Reopening sends the room back to the vision drafts; drafts, ratings and "
                                   "reactions are kept, and stakeholders are asked to look again at a new wording.")),
                            self.reopen])),
            self.feedback,
        ]
        self.refresh(status)

    def refresh(self, status) -> None:
        super().refresh(status)
        c, t = self.console, self.t
        tally = stakeholders.tally(c.store, c.code, c.key)
        set_html(self.tally, tally_html(tally, t))
        set_html(self.comments, comments_html(tally, t))
        if tally.open or not tally.vision:
            note = ""
        else:
            note = t("Drafting is open again: the gut check is paused until the room chooses the vision at the Vision stage.")
        set_html(self.state, f'<div class="ws-banner">{esc(note)}</div>' if note else "")
        show(self.reopen, tally.open)

    def _reopen(self) -> None:
        self.act(stakeholders.reopen_drafting, success=self.t("Drafting is open again."))
