"""The guidance drawn from ``workshop.core.runofshow.SLOTS``: the facilitator guide's run-of-show
table and the stage notebooks' **Say:** lines.

``facilitator_guide.md`` holds the rendered table between two marker comments, and each
stage notebook with words to say (``Slot.aloud``) holds its **Say:** lines between two
others; ``python -m workshop.outputs.guide`` rewrites both after SLOTS changed, and
``python -m workshop.outputs.guide --check`` (like tests/test_runofshow.py) fails while
either disagrees with SLOTS. The guide and the notebooks are English, so this is the
slots' English text, untranslated.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from workshop.core import runofshow, stages

#: The guide in a source checkout (the wheel ships no guide).
GUIDE = Path(__file__).resolve().parents[2] / "facilitator_guide.md"
#: The stage notebooks in a source checkout.
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

#: Any comment that starts so opens the block (the full BEGIN line is written back).
OPENS = "<!-- run-of-show"
BEGIN = ("<!-- run-of-show: generated from workshop/core/runofshow.py (SLOTS) by "
         "`python -m workshop.outputs.guide`; change SLOTS there, not this table -->")
END = "<!-- /run-of-show -->"

#: The same for a notebook's words to say.
SAY_OPENS = "<!-- say"
SAY_BEGIN = ("<!-- say: generated from workshop/core/runofshow.py (Slot.aloud) by "
             "`python -m workshop.outputs.guide`; change the words there -->")
SAY_END = "<!-- /say -->"
SAY = "**Say:**"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def table(slots=runofshow.SLOTS) -> str:
    """The run of show as a markdown table: minutes, part of the call, notebook, what you do and say."""
    rows = ["| minutes | part of the call | notebook | what you do and say |", "|---|---|---|---|"]
    for s in slots:
        notebook = stages.stage(s.stage).notebook.removesuffix(".ipynb")
        rows.append(f"| {s.start}–{s.end} | {_cell(s.title)} | `{notebook}` | {_cell(s.say)} |")
    return "\n".join(rows)


def block(slots=runofshow.SLOTS) -> str:
    """The table with its marker comments, as the guide holds it."""
    return f"{BEGIN}\n\n{table(slots)}\n\n{END}"


def _replace(text: str, opens: str, end: str, new: str) -> str | None:
    """``text`` with the block from ``opens`` to ``end`` replaced by ``new``; None without markers."""
    start = text.find(opens)
    stop = text.find(end, start + 1) if start >= 0 else -1
    if start < 0 or stop < 0:
        return None
    return text[:start] + new + text[stop + len(end):]


def render(text: str, slots=runofshow.SLOTS) -> str:
    """``text`` (the guide) with the block between the markers replaced by the current one."""
    out = _replace(text, OPENS, END, block(slots))
    if out is None:
        raise ValueError("the guide has no run-of-show markers: add the two marker lines where the table belongs")
    return out


def say_block(slot: runofshow.Slot) -> str:
    """The slot's words to say as the notebook holds them: one **Say:** paragraph each, with the markers."""
    lines = "\n\n".join(textwrap.fill(f'{SAY} "{words}"', width=100, break_long_words=False,
                                      break_on_hyphens=False) for words in slot.aloud)
    return f"{SAY_BEGIN}\n\n{lines}\n\n{SAY_END}"


def render_notebook(text: str, slot: runofshow.Slot) -> str:
    """A stage notebook (its JSON text) with its say block drawn afresh from ``slot``."""
    notebook = json.loads(text)
    found = False
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        out = _replace(source, SAY_OPENS, SAY_END, say_block(slot))
        if out is not None:
            found = True
            cell["source"] = out.splitlines(keepends=True)
    if slot.aloud and not found:
        raise ValueError(f"the {slot.stage} notebook has no say markers: add the two marker lines where "
                         "its Say lines belong")
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def targets(guide: Path = GUIDE, notebooks: Path = NOTEBOOKS):
    """(file, how to draw it afresh) for the guide and every stage notebook of the run of show."""
    yield guide, render
    for slot in runofshow.SLOTS:
        yield notebooks / stages.stage(slot.stage).notebook, lambda text, s=slot: render_notebook(text, s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workshop.outputs.guide", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only say whether the guide and notebooks are up to date")
    parser.add_argument("--guide", type=Path, default=GUIDE)
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS)
    args = parser.parse_args(argv)
    stale = []
    for path, draw in targets(args.guide, args.notebooks):
        text = path.read_text(encoding="utf-8")
        wanted = draw(text)
        if wanted != text:
            stale.append((path, wanted))
    if not stale:
        print(f"{args.guide} and the stage notebooks: the run of show is up to date")
        return 0
    for path, wanted in stale:
        if args.check:
            print(f"{path}: the run of show differs from workshop/core/runofshow.py; "
                  "run `python -m workshop.outputs.guide`", file=sys.stderr)
        else:
            path.write_text(wanted, encoding="utf-8")
            print(f"{path}: run of show rewritten from workshop/core/runofshow.py")
    return 1 if args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
