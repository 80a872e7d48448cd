"""One run of show: the guide's table and the stage notebooks' times agree with core/runofshow.py (issue 13)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from workshop.core import runofshow, stages
from workshop.outputs import guide

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
STAGE_NOTEBOOKS = [stages.stage(s.stage).notebook for s in runofshow.SLOTS]


def markdown_cells(notebook: str) -> list[str]:
    with open(NOTEBOOKS / notebook, encoding="utf-8") as f:
        cells = json.load(f)["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


def test_the_slots_cover_the_call_in_order_without_gaps():
    assert runofshow.SLOTS[0].start == 0 and runofshow.TOTAL_MINUTES == 90
    for before, after in zip(runofshow.SLOTS, runofshow.SLOTS[1:]):
        assert before.end == after.start, (before.stage, after.stage)
    assert all(s.minutes > 0 for s in runofshow.SLOTS)
    # The stage notebooks 01..08 are exactly the slots' notebooks (in the notebooks' own order, not the call's).
    assert sorted(STAGE_NOTEBOOKS) == sorted(p.name for p in NOTEBOOKS.glob("0[1-8]-*.ipynb"))


def test_the_guide_holds_the_table_rendered_from_the_slots():
    text = guide.GUIDE.read_text(encoding="utf-8")
    assert text.count(guide.OPENS) == 1 and text.count(guide.END) == 1
    assert guide.block() in text, "facilitator_guide.md disagrees with SLOTS: run `python -m workshop.outputs.guide`"
    assert guide.render(text) == text
    table = guide.table()
    for s in runofshow.SLOTS:
        assert f"| {s.start}–{s.end} | {s.title} | `{stages.stage(s.stage).notebook[:-6]}` |" in table
        assert " ".join(s.say.split()) in table
    # The call is in the guide once: no second, hand-written table of times beside the generated one.
    section = text.split("## Running a 90-minute call", 1)[1].split("\n## ", 1)[0]
    assert section.count("| minutes |") == 1


def test_the_rewriter_fixes_a_stale_guide_and_check_says_so(tmp_path):
    stale = guide.GUIDE.read_text(encoding="utf-8").replace("| 45–60 | Dot voting |", "| 45–55 | Dot voting |")
    path = tmp_path / "guide.md"
    path.write_text(stale, encoding="utf-8")
    cmd = [sys.executable, "-m", "workshop.outputs.guide", "--guide", str(path)]
    check = subprocess.run([*cmd, "--check"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert check.returncode == 1 and "python -m workshop.outputs.guide" in check.stderr
    assert path.read_text(encoding="utf-8") == stale  # --check writes nothing
    assert subprocess.run(cmd, capture_output=True, cwd=ROOT, timeout=60).returncode == 0
    assert path.read_text(encoding="utf-8") == guide.GUIDE.read_text(encoding="utf-8")
    assert subprocess.run([*cmd, "--check"], capture_output=True, cwd=ROOT, timeout=60).returncode == 0
    with pytest.raises(ValueError):
        guide.render("# a guide without markers\n")


RANGE = re.compile(r"minutes (\d+) to (\d+)")
LENGTH = re.compile(r"\((\d+) minutes\)")


@pytest.mark.parametrize("slot", runofshow.SLOTS, ids=lambda s: s.stage)
def test_each_stage_notebook_heading_carries_its_slot_or_no_times(slot):
    notebook = stages.stage(slot.stage).notebook
    heading = markdown_cells(notebook)[0].splitlines()[0]
    assert heading.startswith("# "), (notebook, heading)
    ranges, lengths = RANGE.findall(heading), LENGTH.findall(heading)
    for start, end in ranges:
        assert (int(start), int(end)) == (slot.start, slot.end), (notebook, heading, slot)
    for minutes in lengths:
        assert int(minutes) == slot.minutes, (notebook, heading, slot)
    # Times in any other form would go unchecked here.
    assert len(re.findall(r"\d+\s*(?:min|minute)", heading)) == len(lengths), (notebook, heading)
    assert "minute" not in heading or ranges or lengths, (notebook, heading)


@pytest.mark.parametrize("notebook", STAGE_NOTEBOOKS)
def test_every_time_in_the_guidance_fits_the_run_of_show(notebook):
    """Ranges of minutes name a slot; the minute-by-minute tables stay inside their stage's slot."""
    slot = next(s for s in runofshow.SLOTS if stages.stage(s.stage).notebook == notebook)
    ranges = {(s.start, s.end) for s in runofshow.SLOTS}
    text = "\n\n".join(markdown_cells(notebook))
    for start, end in RANGE.findall(text):
        assert (int(start), int(end)) in ranges, (notebook, start, end)
    for line in text.splitlines():
        row = re.match(r"\|\s*(\d+)(?:–(\d+))?\s*\|", line)  # "| 46–48 | ..." in a "| minute | step |" table
        if row:
            first, last = int(row[1]), int(row[2] or row[1])
            assert slot.start <= first <= last <= slot.end, (notebook, line, slot)


# ---- the words to say: written once, in the run of show --------------------------------------------

def _outside_say_blocks(text: str) -> str:
    return re.sub(re.escape(guide.SAY_OPENS) + r".*?" + re.escape(guide.SAY_END), "", text, flags=re.DOTALL)


@pytest.mark.parametrize("slot", runofshow.SLOTS, ids=lambda s: s.stage)
def test_each_stage_notebooks_say_lines_are_drawn_from_its_slot(slot):
    notebook = stages.stage(slot.stage).notebook
    text = (NOTEBOOKS / notebook).read_text(encoding="utf-8")
    assert guide.render_notebook(text, slot) == text, f"{notebook}: run `python -m workshop.outputs.guide`"
    guidance = "\n\n".join(markdown_cells(notebook))
    for words in slot.aloud:
        assert " ".join(f'{guide.SAY} "{words}"'.split()) in " ".join(guidance.split())
    # No second, hand-written Say line beside the drawn ones, nor a quoted line to say.
    rest = _outside_say_blocks(guidance)
    assert guide.SAY not in rest and not re.search(r'^> "', rest, flags=re.MULTILINE), notebook
    assert guidance.count(guide.SAY) == len(slot.aloud)


def test_the_console_script_shows_the_words_to_say_and_hides_the_markers():
    from workshop.widgets.facilitator.script import script_html

    html = script_html("setup")
    assert "<strong>Say:</strong>" in html and "Before we write anything" in html
    assert "generated from" not in re.sub(r"<!--.*?-->", "", html, flags=re.DOTALL)


def test_the_rewriter_fixes_a_stale_notebook_and_check_says_so(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in STAGE_NOTEBOOKS:
        (notebooks / name).write_text((NOTEBOOKS / name).read_text(encoding="utf-8"), encoding="utf-8")
    stale = notebooks / stages.stage("values").notebook
    original = stale.read_text(encoding="utf-8")
    stale.write_text(original.replace("These are our candidate values.", "These are our values."), encoding="utf-8")
    cmd = [sys.executable, "-m", "workshop.outputs.guide", "--guide", str(guide.GUIDE), "--notebooks", str(notebooks)]
    check = subprocess.run([*cmd, "--check"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert check.returncode == 1 and stale.name in check.stderr and "python -m workshop.outputs.guide" in check.stderr
    assert subprocess.run(cmd, capture_output=True, cwd=ROOT, timeout=60).returncode == 0
    assert stale.read_text(encoding="utf-8") == original
    assert subprocess.run([*cmd, "--check"], capture_output=True, cwd=ROOT, timeout=60).returncode == 0
    without = json.loads(original)
    for cell in without["cells"]:
        cell["source"] = _outside_say_blocks("".join(cell["source"]))
    with pytest.raises(ValueError):
        guide.render_notebook(json.dumps(without), runofshow.slot("values"))
