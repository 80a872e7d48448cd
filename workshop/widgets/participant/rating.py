"""Rating: one draft per screen, 1 to 5 on each of the three criteria, then an overview.

Made for a phone: the criteria are explained once per screen, a line says how far the
participant is ("Draft 2 of 4 · 5 of 12 scores given"), Previous / Next move between drafts,
and after the last draft an overview lists every draft's scores (and which are missing) with
a way back to each. Every score goes through ``vision.rate`` with the participant's token;
scores can be changed until the facilitator closes rating, then this view shows the
participant's own scores read-only. No hints and no averages here.

The live refresh updates in place: the draft on screen is kept by id, so a draft arriving or
withdrawn while someone rates never moves them or loses a score.
"""

from __future__ import annotations

import anywidget
import ipywidgets as w
import traitlets

from workshop.core import criteria
from workshop.domain import vision
from workshop.widgets.kit import esc, run_action, show, static_path, static_text
from workshop.widgets.participant.base import StageView, heading, note
from workshop.widgets.sendbutton import SendButton

RATING_CSS = f"<style>\n{static_text('participant-rating.css')}</style>"

#: Where the view is when it shows the overview instead of a draft.
OVERVIEW = "overview"

#: Characters of a draft shown in the overview (the whole text is on the draft's own screen).
SNIPPET = 90


class ScoreControl(anywidget.AnyWidget):
    """One question as a native radio group (fieldset, legend = ``title``): a score from ``low`` to
    ``high``, or, when ``options`` is given, one of those labelled choices ([value, label] pairs,
    e.g. the gut check's three reactions). ``value`` is the chosen score or option value."""

    _esm = static_path("participant-rating.js")
    kind = traitlets.Unicode("score").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    explanation = traitlets.Unicode("").tag(sync=True)
    low = traitlets.Int(criteria.LOWEST).tag(sync=True)
    high = traitlets.Int(criteria.HIGHEST).tag(sync=True)
    #: Labelled choices instead of the numbers low..high: [[value, label], ...].
    options = traitlets.List(traitlets.Tuple(traitlets.Unicode(), traitlets.Unicode())).tag(sync=True)
    value = traitlets.Union([traitlets.Int(), traitlets.Unicode()], default_value=None,
                            allow_none=True).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)

    # No check of the value here: the domain action it goes to refuses what is not a choice.


class ProgressLine(anywidget.AnyWidget):
    """"Draft 2 of 4 · 5 of 12 scores given"; scrolls into view and takes the focus on each move."""

    _esm = static_path("participant-rating.js")
    kind = traitlets.Unicode("progress").tag(sync=True)
    text = traitlets.Unicode("").tag(sync=True)
    moved = traitlets.Int(0).tag(sync=True)


class NavButton(SendButton):
    """Previous / Next: a button whose tap says which screen it was tapped on.

    A quick double tap (or a tap while the next screen is still on its way) reaches the kernel
    after it has already moved; such a stale tap names the screen already left and is ignored,
    so it never skips a draft the person has not seen yet."""

    #: The screen the button moves from (a draft's id or OVERVIEW), as the browser was last told.
    screen = traitlets.Unicode("").tag(sync=True)

    def __init__(self, description: str = "", primary: bool = False, **kwargs):
        super().__init__([], description, button_style="primary" if primary else "", **kwargs)
        self.add_class("ws-nav-button")

    def click(self, screen: str | None = None) -> None:
        """A tap; from the browser it names its screen, and a tap on a screen already left does nothing."""
        if screen is not None and screen != self.screen:
            return
        super().click()

    def _message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("event") == "click":
            self.click(str(content.get("screen", "")))


def snippet(text: str, limit: int = SNIPPET) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


class DraftScreen(w.VBox):
    """One draft and its three score controls."""

    def __init__(self, view: RatingView, draft: vision.DraftView):
        super().__init__()
        t = view.t
        self.view, self.draft_id = view, draft.id
        self._quiet = False
        self.text = w.HTML()
        self.controls: dict[str, ScoreControl] = {}
        for c in criteria.ORDER:
            control = ScoreControl(title=t(criteria.TITLES[c]), explanation=t(criteria.EXPLANATIONS[c]),
                                   value=view.mine.get((draft.id, c)))
            control.add_class(f"ws-rate-{c}")
            control.observe(lambda change, c=c: self._chosen(c, change), "value")
            self.controls[c] = control
        self.add_class("ws-draft-rating")
        self.children = [self.text, *self.controls.values()]
        self.update(draft)

    def update(self, draft: vision.DraftView) -> None:
        mine = f'<div class="ws-rating-mine">{esc(self.view.t("Your own draft"))}</div>' if draft.mine else ""
        html = f'<div class="ws-card ws-rating-draft">{esc(draft.text)}</div>{mine}'
        if self.text.value != html:
            self.text.value = html

    def set_scores(self, mine: dict) -> None:
        for c in criteria.ORDER:
            self._quietly(c, mine.get((self.draft_id, c)))

    def _quietly(self, criterion: str, value) -> None:
        """Show ``value`` without rating it (the domain already holds it, or refused it)."""
        self._quiet = True
        try:
            self.controls[criterion].value = value
        finally:
            self._quiet = False

    def _chosen(self, criterion: str, change) -> None:
        if self._quiet or change["new"] is None or change["new"] == change["old"]:
            return
        if not self.view.rate(self.draft_id, criterion, change["new"]):
            self._quietly(criterion, change["old"])  # refused: the old score again, and why beside it


class OverviewRow(w.VBox):
    """One draft in the overview: its scores, what is missing, a way back to it."""

    def __init__(self, view: RatingView, draft_id: int):
        super().__init__()
        self.view, self.draft_id = view, draft_id
        self.summary = w.HTML()
        self.go = w.Button(icon="pencil", layout=w.Layout(width="auto", align_self="flex-start"))
        self.go.add_class("ws-overview-go")
        self.go.on_click(lambda _: view.go(self.draft_id))
        self.add_class("ws-overview-row")
        self.children = [self.summary, self.go]

    def paint(self, number: int, draft: vision.DraftView, mine: dict, closed: bool) -> None:
        t = self.view.t
        items = []
        for c in criteria.ORDER:
            score = mine.get((draft.id, c))
            shown = (f"<b>{score}</b>" if score is not None else
                     f'<span class="ws-overview-missing">{esc(t("not scored yet"))}</span>')
            items.append(f"<li>{esc(t(criteria.TITLES[c]))}: {shown}</li>")
        own = f' <span class="ws-rating-mine">{esc(t("Your own draft"))}</span>' if draft.mine else ""
        html = (f"<div><b>{esc(t('Draft {n}').format(n=number))}</b>{own}</div>"
                f'<div class="ws-overview-text">{esc(snippet(draft.text))}</div>'
                f'<ul class="ws-overview-scores">{"".join(items)}</ul>')
        if self.summary.value != html:
            self.summary.value = html
        self.go.description = t("Back to draft {n}").format(n=number)
        show(self.go, not closed)


class RatingView(StageView):
    def __init__(self, visitor, status):
        super().__init__(visitor, status)
        t = self.t
        self.add_class("ws-rating")
        self.mine: dict[tuple[int, str], int] = {}
        self.drafts: list[vision.DraftView] = []
        self.at: int | str | None = None  # a draft's id, OVERVIEW, or None before there is a draft
        self._screens: dict[int, DraftScreen] = {}
        self._rows: dict[int, OverviewRow] = {}
        self._key = None
        self.intro = note(t("Score each draft from 1 (not at all) to 5 (fully) on the three criteria. "
                            "Your scores are saved as you tap and stay private; you can change them "
                            "until the facilitator closes rating."))
        self.progress = ProgressLine()
        self.closed = w.HTML()
        self.screen = w.VBox()
        self.screen.add_class("ws-rating-screen")
        self.overview_head = w.HTML()
        self.overview = w.VBox()
        self.overview.add_class("ws-rating-overview")
        self.previous = NavButton(description=t("Previous"), icon="arrow-left")
        self.previous.add_class("ws-rating-previous")
        self.next = NavButton(description=t("Next"), primary=True)
        self.next.add_class("ws-rating-next")
        self.previous.on_click(lambda _: self.step(-1))
        self.next.on_click(lambda _: self.step(+1))
        self.nav = w.HBox([self.previous, self.next], layout=w.Layout(width="100%"))
        self.nav.add_class("ws-rating-nav")
        self.children = [w.HTML(RATING_CSS), heading(t("Rating the drafts")), self.intro, self.closed,
                         self.progress, self.screen, self.feedback, self.nav]
        self.refresh(status)

    # ---- the workshop changed ---------------------------------------------------------------
    def refresh(self, status) -> None:
        super().refresh(status)
        v = self.visitor
        drafts = vision.drafts(v.store, v.code, v.token)
        # Their own scores too: given in another tab, they show here (only their own writes and
        # what the room sees repaint this page, not every score in the room).
        mine = vision.my_ratings(v.store, v.code, v.token)
        key = ([(d.id, d.text, d.mine) for d in drafts], status.rating_closed, sorted(mine.items()))
        if key == self._key:
            return
        ids_before = [d.id for d in self.drafts]
        if self._key is not None and self._key[1] != status.rating_closed:
            self.feedback.clear()  # the banner says it now (closed), or it no longer holds (reopened)
        self._key = key
        self.mine = mine
        self.drafts = drafts
        ids = [d.id for d in drafts]
        for d in drafts:  # a draft's screen is built when it is first shown
            if d.id in self._screens:
                self._screens[d.id].update(d)
                self._screens[d.id].set_scores(self.mine)
        for gone in set(self._screens) - set(ids):
            del self._screens[gone]
            self._rows.pop(gone, None)
        self.at = self._keep_place(ids_before, ids)
        self.paint()

    def _keep_place(self, before: list[int], ids: list[int]):
        """The same draft as before if it is still there; if it was withdrawn, the one after it."""
        if self.at == OVERVIEW or self.at in ids:
            return self.at
        if self.at is None:
            return ids[0] if ids else None
        following = before[before.index(self.at) + 1:] + before[:before.index(self.at)][::-1]
        return next((d for d in following if d in ids), OVERVIEW if ids else None)

    # ---- moving ------------------------------------------------------------------------------
    def step(self, delta: int) -> None:
        ids = [d.id for d in self.drafts]
        if not ids:
            return
        if self.at == OVERVIEW:
            target = ids[-1] if delta < 0 else OVERVIEW
        else:
            i = ids.index(self.at) + delta
            target = OVERVIEW if i >= len(ids) else ids[max(i, 0)]
        self.go(target)

    def go(self, target) -> None:
        if self.status.rating_closed:
            return
        self.at = target
        self.feedback.clear()
        self.paint()
        self.progress.moved += 1

    # ---- scoring -------------------------------------------------------------------------------
    def rate(self, draft_id: int, criterion: str, score) -> bool:
        """Score one criterion through the domain; False (and why, on screen) when refused."""
        v = self.visitor

        def rate_draft() -> bool:
            vision.rate(v.store, v.code, v.token, draft_id, criterion, score)
            return True

        if not run_action(self.feedback, self.t, rate_draft, success=self.t("Saved.")):
            return False
        self.mine[(draft_id, criterion)] = int(score)
        self._paint_progress()
        return True

    # ---- painting ------------------------------------------------------------------------------
    def given(self) -> int:
        ids = {d.id for d in self.drafts}
        return sum(1 for (d, c) in self.mine if d in ids and c in criteria.ORDER)

    def _paint_progress(self) -> None:
        t, total = self.t, len(self.drafts) * len(criteria.ORDER)
        if not total:
            self.progress.text = ""
            return
        given = self.given()
        scores = t.ngettext("{given} of {total} score given", "{given} of {total} scores given",
                            total).format(given=given, total=total)
        if self.status.rating_closed or self.at == OVERVIEW:
            where = t("Your scores")
        else:
            ids = [d.id for d in self.drafts]
            where = t("Draft {n} of {total}").format(n=ids.index(self.at) + 1, total=len(ids))
        self.progress.text = f"{where} · {scores}"

    def paint(self) -> None:
        t, closed = self.t, self.status.rating_closed
        self.closed.value = (f'<div class="ws-rating-closed" role="status">'
                             f'{esc(t("Rating is closed. These are the scores you gave."))}</div>'
                             if closed else "")
        show(self.intro, not closed)
        if not self.drafts:
            self.screen.children = [note(t("There are no drafts to rate yet."))]
            show(self.nav, False)
        elif closed or self.at == OVERVIEW:
            self.screen.children = [self._overview(closed)]
            show(self.nav, not closed)
            self.previous.disabled = False
            show(self.next, False)
        else:
            ids = [d.id for d in self.drafts]
            if self.at not in self._screens:
                self._screens[self.at] = DraftScreen(self, self.drafts[ids.index(self.at)])
            self.screen.children = [self._screens[self.at]]
            show(self.nav, True)
            show(self.next, True)
            self.previous.disabled = ids.index(self.at) == 0
            last = ids.index(self.at) == len(ids) - 1
            self.next.description = t("Overview") if last else t("Next")
            self.next.icon = "list" if last else "arrow-right"
        self._paint_progress()
        where = "" if self.at is None else str(self.at)
        self.previous.screen = self.next.screen = where  # after the screen itself: what a tap leaves

    def _overview(self, closed: bool) -> w.VBox:
        t = self.t
        missing = len(self.drafts) * len(criteria.ORDER) - self.given()
        if closed:
            intro = ""
        elif missing:
            intro = t.ngettext("{n} score is still missing.", "{n} scores are still missing.",
                               missing).format(n=missing)
        else:
            intro = t("Every draft has all its scores. You can still change them until rating closes.")
        rows = []
        for number, d in enumerate(self.drafts, 1):
            if d.id not in self._rows:
                self._rows[d.id] = OverviewRow(self, d.id)
            self._rows[d.id].paint(number, d, self.mine, closed)
            rows.append(self._rows[d.id])
        self.overview_head.value = f'<div class="ws-muted">{esc(intro)}</div>' if intro else ""
        self.overview.children = [self.overview_head, *rows]
        return self.overview
