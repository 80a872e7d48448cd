"""What the follow-up panels share: the link (with QR code) people open, and file downloads."""

from __future__ import annotations

import ipywidgets as w

from workshop.core import links
from workshop.widgets.facilitator.invite import qr_svg
from workshop.widgets.facilitator.publish import download_link
from workshop.widgets.kit import esc

CSS = """
.ws-linkbox { display:flex; gap:16px; align-items:center; flex-wrap:wrap; }
.ws-linkbox .ws-qr svg { width:150px; height:150px; }
.ws-linkbox .ws-joinlink { font-family: ui-monospace, monospace; user-select: all; overflow-wrap:anywhere; }
.ws-tally-row { display:flex; align-items:center; gap:10px; margin:4px 0; }
.ws-tally-row .ws-tally-name { width:10em; }
.ws-tally-row .ws-bar { flex:1 1 auto; background:#eaecf0; border-radius:4px; height:18px; min-width:80px; }
.ws-tally-row .ws-bar span { display:block; height:18px; border-radius:4px; }
.ws-tally-row .ws-tally-n { width:3em; text-align:right; font-weight:650; font-variant-numeric:tabular-nums; }
.ws-comment-item { border-left:3px solid #d0d5dd; padding:2px 10px; margin:6px 0; overflow-wrap:anywhere;
  white-space:pre-wrap; }
.ws-comment-item.ws-earlier { opacity:.65; }
.ws-grid { border-collapse:collapse; margin:6px 0; }
.ws-grid th, .ws-grid td { border-bottom:1px solid #eaecf0; padding:4px 8px; text-align:left; vertical-align:top; }
.ws-grid td.num, .ws-grid th.num { text-align:right; font-variant-numeric:tabular-nums; }
.ws-flag { color:#b54708; font-weight:600; }
.ws-dist { display:inline-flex; align-items:flex-end; gap:3px; height:42px; }
.ws-dist-col { display:flex; flex-direction:column; align-items:center; justify-content:flex-end; width:16px;
  font-size:.7em; color:#52606d; }
.ws-dist-bar { display:block; width:12px; background:#2e90fa; border-radius:2px 2px 0 0; }
.ws-sheet h4 { margin:12px 0 2px; }
.ws-sheet .ws-q { font-style:italic; margin:8px 0 2px; overflow-wrap:anywhere; }
.ws-sheet .ws-a { border-left:3px solid #b2ccff; padding:2px 10px; margin:3px 0; white-space:pre-wrap; overflow-wrap:anywhere; }
.ws-team-row { border-bottom:1px solid #eaecf0; padding:6px 0; }
"""


def link_box(t, notebook: str, code: str, label: str) -> w.HTML:
    url = links.notebook_url(notebook, w=code)
    return w.HTML(
        '<div class="ws-linkbox">'
        f'<div class="ws-qr" aria-label="{esc(t("QR code of the link"))}">{qr_svg(url)}</div>'
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
