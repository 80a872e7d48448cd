"""Vision drafts for the facilitator: drafts as they arrive, ratings on the criteria, the final choice."""

from __future__ import annotations

import ipywidgets as w
from babel.numbers import format_decimal

from workshop.core import criteria, phases
from workshop.domain import grouping, vision, workshops
from workshop.widgets.facilitator.base import Panel, button, section, set_html
from workshop.widgets.hints import HintsView
from workshop.widgets.kit import esc, labelled, show, static_text, stylesheet
from workshop.widgets.sendbutton import send_button


def full() -> w.Layout:
    """As wide as the panel without spilling over its edge (a fresh layout: widgets hide theirs)."""
    return w.Layout(width="calc(100% - 6px)")


#: A sample standard deviation this large (on a 1-5 scale) means the room reads the draft differently.
DISAGREEMENT = 1.0

CSS = static_text("facilitator-vision.css")


def number(value: float | None, t) -> str:
    """One decimal, written the way the facilitator's language writes numbers."""
    if value is None:
        return "–"
    locale = {"zh_Hant": "zh_Hant_TW"}.get(t.lang, t.lang)
    return format_decimal(value, format="0.0", locale=locale)


def ratings_table_html(summaries, t) -> str:
    """Drafts by criteria: mean large, spread and count small; disagreement highlighted."""
    if not summaries:
        return f'<p class="ws-muted ws-note">{esc(t("No drafts yet."))}</p>'
    overall = [s.overall for s in summaries if s.overall is not None]
    best = max(overall) if overall else None
    head = "".join(f"<th>{esc(t(criteria.TITLES[c]))}</th>" for c in criteria.ORDER)
    rows = []
    for i, s in enumerate(summaries, 1):
        cells = []
        for c in criteria.ORDER:
            st = s.by_criterion[c]
            if not st.count:
                cells.append('<td><span class="ws-mean">–</span></td>')
                continue
            # Compared as shown (one decimal), so a cell reading "± 1.0" is always flagged.
            disagree = st.spread is not None and round(st.spread, 1) >= DISAGREEMENT
            detail = t.ngettext("± {spread} · {n} rating", "± {spread} · {n} ratings", st.count).format(
                spread=number(st.spread, t), n=st.count)
            cells.append(f'<td class="{"ws-disagree" if disagree else ""}"><span class="ws-mean">{number(st.mean, t)}</span>'
                         f'<span class="ws-spread">{esc(detail)}</span></td>')
        classes = []
        if best is not None and s.overall is not None and abs(s.overall - best) < 1e-9:
            classes.append("ws-best")
        if s.final:
            classes.append("ws-final")
        mark = " ★" if s.final else ""
        rows.append(f'<tr class="{" ".join(classes)}" data-draft="{s.draft_id}"><td class="ws-draft-no">{i}</td>'
                    f'<td class="ws-draft-text">{esc(s.text)}{mark}</td>{"".join(cells)}'
                    f'<td><span class="ws-mean">{number(s.overall, t)}</span></td><td>{s.raters}</td></tr>')
    legend = (f'<p class="ws-legend ws-muted"><span class="ws-swatch" style="background:#fef0c7"></span>'
              f'{esc(t("The room disagrees here (spread of 1 point or more): ask why."))}'
              f'<span class="ws-swatch" style="background:#ecfdf3"></span>{esc(t("Highest overall mean."))}'
              f' ★ {esc(t("The chosen vision."))}</p>')
    return (f'<table class="ws-ratings"><thead><tr><th>#</th><th>{esc(t("Draft"))}</th>{head}'
            f'<th>{esc(t("Overall"))}</th><th>{esc(t("Raters"))}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            + legend)


class VisionPanel(Panel):
    """Drafting, rating and choosing the support vision."""

    def __init__(self, console, status):
        super().__init__(console, status)
        t = self.t
        self.stage_note = w.HTML()
        self.values = w.HTML()
        self.count = w.HTML()
        self.list = w.VBox()
        self.list.add_class("ws-drafts-list")
        self.entry = labelled(w.Textarea(placeholder=t("A draft of your own, or one the room says aloud"), rows=2,
                                         layout=full()), t("New draft"), visible=False)
        self.add_button = send_button([self.entry], t("Add draft"), self._add, "", "plus")  # the words go with the click
        self.add_button.add_class("ws-fac-add-draft")
        self.add_box = w.VBox([self.entry, w.HBox([self.add_button])])
        self.to_rating = button(t("Start rating the drafts"), self._start_rating, "primary", "star")
        self.to_rating.add_class("ws-start-rating")
        self.table = w.HTML()
        self.table.add_class("ws-ratings-table")
        # Closing rating: the one step that lets the averages reach the room screen.
        self.rating_state = w.HTML()
        self.rating_state.add_class("ws-rating-state")
        self.close_rating = button(t("Close rating"), self._close_rating, "warning", "lock")
        self.close_rating.add_class("ws-close-rating")
        self.close_rating.tooltip = t("Scores are final; the room screen shows the averages.")
        self.reopen_rating = button(t("Reopen rating"), self._reopen_rating, "", "unlock")
        self.reopen_rating.add_class("ws-reopen-rating")
        self.reopen_rating.tooltip = t(
            "Reopen rating if the room needs more time: participants can change their scores again; "
            "the room screen hides the averages.")
        self.rating_buttons = w.HBox([self.close_rating, self.reopen_rating])
        self.rating_box = w.VBox([section(t("Ratings")), self.rating_state, self.rating_buttons, self.table])

        self.pick = w.Dropdown(options=[], description=t("Draft"), layout=full())
        self.pick.observe(self._picked, "value")
        self.wording = labelled(w.Textarea(rows=2, layout=full(),
                                           placeholder=t("Polish the wording here if the room wants")),
                                t("Our vision"), visible=False)
        self.wording.add_class("ws-vision-wording")
        self.choose_button = send_button([self.wording], t("Make this our vision"), self._choose, "success", "check")
        self.choose_button.add_class("ws-choose-vision")
        self.final = w.HTML()
        self.choose_box = w.VBox([section(t("Our vision")), self.final, self.pick, self.wording,
                                  w.HBox([self.choose_button])])
        self._drafts = None
        self._texts: dict[int, str] = {}
        self._texts_shown: dict[int, str] = {}
        self._final_id: int | None = None
        self.children = [stylesheet(CSS), section(t("Vision drafts")), self.stage_note, self.values, self.count,
                         self.list, self.add_box, w.HBox([self.to_rating]), self.feedback, self.rating_box, self.choose_box]
        self.refresh(status)

    # ---- reading -----------------------------------------------------------------------
    def refresh(self, status) -> None:
        super().refresh(status)
        c, t = self.console, self.t
        phase = status.phase
        summaries = vision.summary(c.store, c.code, c.key)
        chosen = grouping.values(c.store, c.code, only_chosen=True)
        set_html(self.stage_note, f'<p class="ws-muted ws-note">{esc(self._note(phase))}</p>')
        set_html(self.values, "<p>" + esc(t("Our values:")) + " "
                 + ", ".join(f"<b>{esc(v.name)}</b>" for v in chosen) + "</p>" if chosen else "")
        n = len(summaries)
        set_html(self.count, f"<p><b>{esc(t.ngettext('{n} draft', '{n} drafts', n).format(n=n))}</b></p>")
        editable = phase in (phases.DRAFTING, phases.RATING)
        drafts = [(s.draft_id, s.text) for s in summaries]
        if (drafts, editable) != self._drafts:
            self._drafts = (drafts, editable)
            self.list.children = [self._row(i, d, text, editable) for i, (d, text) in enumerate(drafts, 1)]
        # The picker lists the best-rated draft first, so it follows the ratings as they arrive.
        self._fill_pick(summaries)
        show(self.add_box, editable)
        show(self.to_rating, phase == phases.DRAFTING)
        self.to_rating.disabled = not summaries
        show(self.rating_box, phases.index(phase) >= phases.index(phases.RATING))
        self._show_rating_state(status)
        set_html(self.table, ratings_table_html(summaries, t))
        show(self.choose_box, phases.index(phase) >= phases.index(phases.DRAFTING))
        choosable = phase in (phases.DRAFTING, phases.RATING, phases.ACTIONS)
        for widget in (self.pick, self.wording, self.choose_button):
            show(widget, choosable and bool(summaries))
        final = (f'<div class="ws-vision-final"><div class="ws-muted">{esc(t("Chosen vision"))}</div>'
                 f'<div class="ws-big">“{esc(status.vision)}”</div></div>') if status.vision else ""
        set_html(self.final, final)

    def _show_rating_state(self, status) -> None:
        """Open: live averages for the facilitator only, and a Close button. Closed: final, on the room screen."""
        t, closed = self.t, status.rating_closed
        if closed:
            lock = '<i class="fa fa-lock" aria-hidden="true"></i> '
            state = ('<div class="ws-rating-closed"><b>' + lock + esc(t("Rating is closed.")) + "</b> "
                     + esc(t("Scores are final; the room screen shows the averages.")) + "</div>")
            if status.phase == phases.RATING:
                state += ('<div class="ws-muted ws-note">' + esc(t(
                    "Reopen rating if the room needs more time: participants can change their scores again; "
                    "the room screen hides the averages.")) + "</div>")
        else:
            state = ('<div class="ws-rating-open"><b>' + esc(t("Rating is open.")) + "</b> "
                     + esc(t("The averages below are live and only you see them; participants can still change "
                             "their scores.")) + "</div>"
                     '<div class="ws-muted ws-note">' + esc(t("Close rating when everyone is done.")) + " "
                     + esc(t("Scores are final; the room screen shows the averages.")) + "</div>")
        set_html(self.rating_state, state)
        show(self.rating_buttons, status.phase == phases.RATING)
        show(self.close_rating, status.phase == phases.RATING and not closed)
        show(self.reopen_rating, status.phase == phases.RATING and closed)
        # While the room still rates, the averages are the facilitator's alone (the room screen shows them once closed).
        if closed:
            self.table.remove_class("ws-private")
        else:
            self.table.add_class("ws-private")

    def _note(self, phase) -> str:
        t = self.t
        if phases.index(phase) < phases.index(phases.DRAFTING):
            return t("Drafting starts at the stage “{stage}”, once the vote has chosen the values.").format(
                stage=t(phases.TITLES[phases.DRAFTING]))
        if phase == phases.DRAFTING:
            return t("Everyone writes a one-line vision from the values, the purpose and what customers need. "
                     "Drafts appear here as they are written, without names.")
        if phase == phases.RATING:
            return t("Everyone scores each draft from 1 to 5 on the three criteria. Discuss the best drafts "
                     "and those the room disagrees on, then choose.")
        return t("The vision is chosen. Its wording can still be polished while values are made actionable.")

    def _row(self, i: int, draft_id: int, text: str, editable: bool) -> w.Widget:
        # Hints inform the ratings (length, clichés, promises, the customer); they never replace them.
        # The facilitator sees them on every draft; they are private (never on the room screen).
        hints = HintsView(self.t, "vision", lang=self.status.language)
        hints.show(text)
        card = w.VBox([w.HTML(f'<div class="ws-card"><span class="ws-draft-no">{i}.</span>{esc(text)}</div>'),
                       hints])
        card.add_class("ws-grow")
        if not editable:
            return card
        remove = w.Button(description=self.t("Remove"), icon="trash", layout=w.Layout(width="auto"),
                          tooltip=self.t("Take a duplicate or off-topic draft off the list"))
        remove.add_class("ws-remove-draft")
        remove.on_click(lambda _, d=draft_id: self._remove(d))
        row = w.HBox([card, remove], layout=w.Layout(align_items="center", width="100%"))
        row.add_class("ws-row")
        return row

    def _fill_pick(self, summaries) -> None:
        """Offer the drafts, best overall first; keep the facilitator's selection if it still exists."""
        self._texts = {s.draft_id: s.text for s in summaries}
        self._final_id = next((s.draft_id for s in summaries if s.final), None)
        ranked = sorted(enumerate(summaries, 1), key=lambda p: -(p[1].overall or 0))
        # Option labels are plain text in the browser, never HTML: no escaping here.
        options = [(f"{i}. {s.text if len(s.text) <= 70 else s.text[:69] + '…'}", s.draft_id) for i, s in ranked]
        ids = [o[1] for o in options]
        if tuple(options) == tuple(self.pick.options) and self._texts_shown == self._texts:
            return
        self._texts_shown = dict(self._texts)
        before = self.pick.value
        keep = before if before in ids else (self._final_id if self._final_id in ids else (ids[0] if ids else None))
        self.pick.unobserve(self._picked, "value")
        self.pick.options = options
        self.pick.value = keep
        self.pick.observe(self._picked, "value")
        if keep != before or not self.wording.value:
            self._picked({"new": keep})

    def _picked(self, change) -> None:
        """Put the picked draft's words (or the chosen vision's polished words) in the editor."""
        new = change["new"]
        if new is not None and new == self._final_id and self.status.vision:
            self.wording.value = self.status.vision
        else:
            self.wording.value = self._texts.get(new, "")

    # ---- actions -----------------------------------------------------------------------
    def _add(self) -> None:
        self.act(vision.add_draft_as_facilitator, self.entry.value, success=self.t("Draft added."))
        if self.succeeded:
            self.add_button.taken()

    def _remove(self, draft_id: int) -> None:
        self.act(vision.remove_draft, draft_id, success=self.t("Draft removed."))

    def _start_rating(self) -> None:
        self.act(workshops.advance, success=self.t("Rating has started: participants now see the drafts with the criteria."))

    def _close_rating(self) -> None:
        self.act(vision.close_rating, success=self.t("Rating is closed: scores are final; the room screen shows the averages."))

    def _reopen_rating(self) -> None:
        self.act(vision.reopen_rating, success=self.t("Rating is open again: participants can change their scores."))

    def _choose(self) -> None:
        if self.pick.value is None:
            return
        t, status = self.t, self.status
        closes = vision.choosing_closes_rating(status.phase, status.rating_closed, self._final_id, self.pick.value)
        done = (t("This is our vision now. Rating is closed: scores are final; the room screen shows the averages.")
                if closes else t("This is our vision now."))
        self.act(vision.choose_vision, self.pick.value, self.wording.value, success=done)
