"""Hints beside a vision draft or an action statement: facts that inform the ratings.

Private by construction (issue 13): the facilitator's panels show them on every draft and
action statement, a participant's drafting view on their own drafts only, and nothing else
builds a ``HintsView`` (not the room screen, not the rating view). Each list says so, and
carries ``ws-private``, the facilitator side's mark for what never goes on a shared screen.
"""

from __future__ import annotations

import ipywidgets as w

from workshop.assist import hints as checks
from workshop.widgets.kit import esc

_MARK = {checks.OK: "✓", checks.INFO: "·", checks.WARN: "!"}


def hints_html(found: list[checks.Hint], t) -> str:
    """A list of hints in the visitor's language; every message is escaped (it quotes participant text)."""
    if not found:
        return ""
    items = "".join(
        f'<li class="ws-hint ws-hint-{esc(h.level)}" data-kind="{esc(h.kind)}">'
        f'<span aria-hidden="true">{_MARK.get(h.level, "·")}</span> {esc(h.message(t))}</li>'
        for h in found
    )
    label = t("Hints")
    note = (f'<li class="ws-hints-note" style="font-size:0.85em;color:#667085">'
            f'<i class="fa fa-lock" aria-hidden="true"></i> {esc(t("Only you see these hints."))}</li>')
    return (f'<ul class="ws-hints ws-private" aria-label="{esc(label)}" data-private="true" '
            f'style="list-style:none;padding-left:0;margin:4px 0">{note}{items}</ul>')


class HintsView(w.HTML):
    """Shows the hints for one text; call ``show`` whenever the text changes.

    Build one only where the viewer may see them: on the facilitator's console, or beside a
    participant's own draft."""

    def __init__(self, t, kind: str = "vision", lang: str | None = None):
        super().__init__(value="")
        self.add_class("ws-hints-view")
        self.add_class("ws-private")
        self.t, self.kind = t, kind
        self.lang = lang or getattr(t, "lang", None)

    def show(self, text: str) -> list[checks.Hint]:
        check = checks.action_hints if self.kind == "action" else checks.vision_hints
        found = check(text, self.lang)
        html = hints_html(found, self.t)
        if self.value != html:
            self.value = html
        return found
