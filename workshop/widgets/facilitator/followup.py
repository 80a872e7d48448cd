"""What the follow-up panels share: the link (with QR code) people open, and file downloads."""

from __future__ import annotations

import ipywidgets as w

from workshop.domain import audiences
from workshop.widgets.facilitator.invite import qr_svg
from workshop.widgets.facilitator.publish import download_link
from workshop.widgets.kit import esc, static_text

CSS = static_text("facilitator-followup.css")


def link_box(t, console, role: str, label: str) -> w.HTML:
    """The link of one follow-up audience: its own secret, never the join code (see domain/audiences.py).

    Made on first view; in a workshop from before links had their own secret, the old
    ``?w=CODE`` links stop working and this shows the new one to send."""
    url = audiences.link(console.store, console.code, console.key, role)
    return w.HTML(
        '<div class="ws-linkbox">'
        f'<div class="ws-qr" role="img" aria-label="{esc(t("QR code of the link"))}">{qr_svg(url)}</div>'
        f'<div><div class="ws-muted">{esc(label)}</div><div class="ws-joinlink">{esc(url)}</div></div></div>')


def file_link(data: bytes | str, filename: str, label: str, mime: str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8-sig" if mime == "text/csv" else "utf-8")  # a BOM lets Excel read UTF-8
    return download_link(data, filename, label, mime=mime)


def bar_row(name: str, n: int, top: int, color: str, css_class: str = "") -> str:
    pct = int(100 * n / top) if top else 0
    return (f'<div class="ws-tally-row {css_class}"><span class="ws-tally-name">{esc(name)}</span>'
            f'<span class="ws-bar"><span style="width:{pct}%;background:{color}"></span></span>'
            f'<span class="ws-tally-n">{n}</span></div>')
