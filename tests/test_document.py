"""The philosophy document in Markdown, HTML and Word: the method's template filled from the workshop."""

from __future__ import annotations

import io

import pytest

from tests.followup_helpers import VISION, finished_workshop
from workshop.core.errors import NotAuthorized
from workshop.domain import actionable, audiences, workshops
from workshop.domain.followup import hiring, stakeholders, teams
from workshop.outputs import document

SCRIPT = "<script>alert('owned')</script> honest bills"

ACTIONS = {
    "Honesty": ("Say what you mean, mean what you say.", ["Net Promoter Score (NPS)", "QA score"]),
    "Quality": ("Do it right the first time.", ["First Contact Resolution (FCR)"]),
    "Speed": ("Treat every customer with urgency.", ["First Response Time (FRT)"]),
}


def philosophy(store, anonymous=False):
    f = finished_workshop(store, anonymous=anonymous, card_texts={"Honesty": SCRIPT})
    for (name, (statement, metrics)), value_id in zip(ACTIONS.items(), f.value_ids):
        actionable.set_action_statement(store, f.code, f.key, value_id, statement)
        actionable.set_metrics(store, f.code, f.key, value_id, metrics)
    teams.set_practice(store, f.code, f.key, f.value_ids[0], "sales", "Quote the full price.", "Bill complaints")
    q = hiring.add_question(store, f.code, f.key, f.value_ids[0], "What would you never promise?")
    hiring.answer(store, f.code, hiring.join(store, f.code, None if anonymous else "Jonas", "support", secret=audiences.secret(store, f.code, f.key, "exemplar")).token,
                  q, "A fix date I cannot control.")
    stakeholders.react(store, f.code, stakeholders.join(store, f.code, None if anonymous else "Sofia", secret=audiences.secret(store, f.code, f.key, "stakeholder")).token,
                       stakeholders.LANDS)
    return f


@pytest.fixture
def named(sqlite_url):
    from workshop.store import Store

    store = Store(sqlite_url)
    return store, philosophy(store)


def test_markdown_follows_the_template(named):
    store, f = named
    text = document.render_markdown(store, f.code, f.key)
    assert "Our purpose at Acme is to keep small shops selling." in text
    assert "When we interact with customers, we want them to know:" in text
    assert f"> **{VISION}**" in text
    for name, (statement, metrics) in ACTIONS.items():
        assert f"| **{name}** | {statement} | {', '.join(metrics)} |" in text
        assert f"### {name}" in text
    assert "| **Sales** | Quote the full price. | Bill complaints |" in text
    assert "*What would you never promise?*" in text and "“A fix date I cannot control.”" in text
    assert "## Appendix: how we wrote it" in text
    assert "**Brainstorm question:** What do you want our customers to think of" in text
    assert "**Cards written:** 3" in text
    assert "**Who took part:** Member 1, Member 2" in text
    assert "| You can count on us" not in text and f"{VISION} (chosen)" in text
    # One reaction is fewer than five: not counted in the document either (issue 12).
    assert "1 stakeholder reacted. The reactions are counted once 5 have" in text and "| It lands |" not in text
    # The card is shown as typed, never as HTML inside the Markdown.
    assert "\\<script\\>alert('owned')\\</script\\>" in text and "<script>" not in text


def test_html_is_self_contained_printable_and_escapes_participant_text(named):
    store, f = named
    page = document.render_html(store, f.code, f.key)
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page and "@page" in page
    assert "<link" not in page and "src=" not in page  # nothing to fetch: it opens offline
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;" in page
    assert "Our purpose at Acme is to keep small shops selling." in page
    assert f"“{VISION}”" in page
    for name, (statement, metrics) in ACTIONS.items():
        assert statement in page and ", ".join(metrics) in page
    assert "Appendix: how we wrote it" in page and "Member 1, Member 2" in page


def test_docx_opens_with_the_template_headings(named):
    from docx import Document

    store, f = named
    doc = Document(io.BytesIO(document.render_docx(store, f.code, f.key)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[:5] == ["Our customer service philosophy", "Our purpose", "Customer support vision",
                            "Support values", "How we live our support philosophy"]
    assert "Appendix: how we wrote it" in headings and "Hiring: the values benchmark" in headings
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Our purpose at Acme is to keep small shops selling." in text and f"“{VISION}”" in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    for name, (statement, metrics) in ACTIONS.items():
        assert name in cells and statement in cells and ", ".join(metrics) in cells
    assert SCRIPT in cells[cells.index("Honesty (1)") + 1]


def test_anonymous_workshop_document_names_nobody(sqlite_url):
    from workshop.store import Store

    store = Store(sqlite_url)
    f = philosophy(store, anonymous=True)
    members = [p.name for p in workshops.participants(store, f.code, f.key)]
    text = document.render_markdown(store, f.code, f.key)
    assert ("**Who took part:** 2 people took part. The workshop was anonymous, so no names are recorded."
            in text)
    assert members == ["Participant 1", "Participant 2"]
    assert all(name not in text for name in members)  # not even the pseudonyms of the room


def test_write_documents_writes_three_files_and_needs_the_key(named, tmp_path):
    store, f = named
    paths = document.write_documents(store, f.code, tmp_path / "out", f.key)
    assert [p.suffix for p in paths] == [".md", ".html", ".docx"]
    assert all(p.stat().st_size > 1000 for p in paths)
    with pytest.raises(NotAuthorized):
        document.render_markdown(store, f.code, "wrong-key")


def test_workshop_export_writes_the_documents_beside_the_csv_files(named, tmp_path, capsys):
    from workshop import cli

    store, f = named
    out = tmp_path / "export"
    assert cli.main(["--db", store.url, "export", f.code, "--out", str(out), "--key", f.key]) == 0
    stem = document.file_stem(f.code)
    assert {f"{stem}.md", f"{stem}.html", f"{stem}.docx"} <= {p.name for p in out.iterdir()}
    assert any(p.suffix == ".csv" for p in out.iterdir())
    assert f"{stem}.docx" in capsys.readouterr().out

    bare = tmp_path / "no-key"
    assert cli.main(["--db", store.url, "export", f.code, "--out", str(bare)]) == 0
    assert not any(p.name.startswith("philosophy-") for p in bare.iterdir())
    assert "need --key" in capsys.readouterr().err
