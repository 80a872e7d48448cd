"""Hints beside a vision draft or an action statement: facts that inform the ratings."""

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
    return (f'<ul class="ws-hints" aria-label="{esc(label)}" '
            f'style="list-style:none;padding-left:0;margin:4px 0">{items}</ul>')


class HintsView(w.HTML):
    """Shows the hints for one text; call ``show`` whenever the text changes."""

    def __init__(self, t, kind: str = "vision", lang: str | None = None):
        super().__init__(value="")
        self.add_class("ws-hints-view")
        self.t, self.kind = t, kind
        self.lang = lang or getattr(t, "lang", None)

    def show(self, text: str) -> list[checks.Hint]:
        check = checks.action_hints if self.kind == "action" else checks.vision_hints
        found = check(text, self.lang)
        html = hints_html(found, self.t)
        if self.value != html:
            self.value = html
        return found
