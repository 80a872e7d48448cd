"""The facilitator's script and the run of show, drawn from their one source each.

The script of a stage is its notebook's guidance: the markdown cells of
``notebooks/NN-stage.ipynb`` (shipped in the package, see ``workshop.resources``),
rendered as they are, so the console and the stage notebook say the same thing.
The minutes and the line to say come from ``workshop.core.runofshow``.
"""

from __future__ import annotations

import json
from functools import lru_cache

import mistune

from workshop.core import runofshow, stages
from workshop.resources import notebooks_dir
from workshop.widgets.kit import esc

_markdown = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])


def script_markdown(stage: str) -> str:
    """The markdown cells of ``stage``'s notebook, in order, one blank line between them."""
    path = notebooks_dir() / stages.stage(stage).notebook
    return _read(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=32)
def _read(path: str, _mtime: int) -> str:
    with open(path, encoding="utf-8") as f:
        notebook = json.load(f)
    cells = [c for c in notebook.get("cells", []) if c.get("cell_type") == "markdown"]
    return "\n\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells)


def render(markdown: str) -> str:
    """The package's own markdown (the notebooks' guidance) as HTML."""
    return _markdown(markdown)


def script_html(stage: str) -> str:
    return render(script_markdown(stage))


def clock(minutes: int) -> str:
    """Minutes from the start of the call as h:mm."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def slot_html(stage: str, t) -> str:
    """The run-of-show line that heads a stage's panel: when, how long, what to say ("" outside the call)."""
    s = runofshow.slot(stage)
    if s is None:
        return ""
    return (f'<div class="ws-slot"><span class="ws-slot-time">{clock(s.start)}–{clock(s.end)}</span> '
            f'<b class="ws-slot-title">{esc(t(s.title))}</b> '
            f'<span class="ws-muted">· {esc(t("{n} min").format(n=s.minutes))}</span>'
            f'<div class="ws-slot-say">{esc(t(s.say))}</div></div>')


def agenda_html(t, live: str, shown: str) -> str:
    """The whole run of show, the live stage's slot marked (and the one on screen, when it is another)."""
    rows = []
    for s in runofshow.SLOTS:
        classes = " ".join(c for c in ("ws-slot-live" if s.stage == live else "",
                                       "ws-slot-shown" if s.stage == shown else "") if c)
        mark = f' <span class="ws-now-mark">{esc(t("now"))}</span>' if s.stage == live else ""
        rows.append(f'<tr class="{classes}"><td class="ws-slot-time">{clock(s.start)}–{clock(s.end)}</td>'
                    f'<td><b>{esc(t(s.title))}</b>{mark}</td>'
                    f'<td class="ws-muted">{esc(t(stages.stage(s.stage).label))}</td></tr>')
    return (f'<table class="ws-agenda" aria-label="{esc(t("Run of show"))}">'
            f'<caption>{esc(t("Run of show · {n} minutes").format(n=runofshow.TOTAL_MINUTES))}</caption>'
            f'{"".join(rows)}</table>')
