"""The philosophy document (step 6): the workshop's results laid out in the method's template.

``outline`` turns the workshop's data into a list of plain blocks (headings,
paragraphs, lists, tables); ``docformats`` writes those blocks as Markdown,
a self-contained HTML page and a Word document, so the three always agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from babel.dates import format_date

from workshop.core import criteria
from workshop.domain import grouping, vision, voting, workshops
from workshop.domain.followup import hiring, stakeholders, teams
from workshop.i18n import Translator, translator
from workshop.outputs import docformats, philosophy
from workshop.outputs.docformats import Block, Heading, Items, Note, Para, Quote, Section, Table
from workshop.store import Store


@dataclass(frozen=True)
class PhilosophyData:
    """Everything the document shows, read once."""
    status: workshops.Status
    #: Purpose, vision and the chosen values, as the screens show them too.
    philosophy: philosophy.Philosophy
    #: Every value with the cards grouped into it, and the cards left ungrouped.
    board: grouping.Board
    benchmark: hiring.Benchmark
    rounds: list[voting.RoundResult]
    drafts: list[vision.DraftSummary]
    #: Names of the workshop members; empty in an anonymous workshop (see ``members``).
    names: list[str]
    members: int
    gut_check: stakeholders.Tally
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))


def gather(store: Store, code: str, key: str, lang: str | None = None) -> PhilosophyData:
    """Read the workshop for its document, worded in ``lang`` (default: the workshop's language).

    The facilitator key is required (names are in it)."""
    members = workshops.participants(store, code, key, role="member")  # checks the key first
    status = workshops.status(store, code)
    return PhilosophyData(
        status=status,
        philosophy=philosophy.build(store, code, translator(lang or status.language)),
        board=grouping.board(store, code, key),
        benchmark=hiring.benchmark(store, code, key),
        rounds=[r for r in voting.rounds(store, code) if r.status == "closed"],
        drafts=vision.summary(store, code, key),
        names=[] if status.anonymous else [m.name for m in members],
        members=len(members),
        gut_check=stakeholders.tally(store, code, key),
    )


# ---- the template ---------------------------------------------------------------------

def _purpose(d: PhilosophyData, t: Translator) -> list[Block]:
    out: list[Block] = [Heading(2, t("Our purpose"))]
    if not d.philosophy.purpose_sentence:
        return out + [Note(t("Not written yet."))]
    return out + [Para(d.philosophy.purpose_sentence, lead=True)]


def _vision(d: PhilosophyData, t: Translator) -> list[Block]:
    out: list[Block] = [Heading(2, t("Customer support vision"))]
    if not d.philosophy.vision:
        return out + [Note(t("Not chosen yet."))]
    return out + [Para(t("When we interact with customers, we want them to know:")), Quote(d.philosophy.vision)]


def _values(d: PhilosophyData, t: Translator) -> list[Block]:
    out: list[Block] = [Heading(2, t("Support values"))]
    if not d.philosophy.values:
        return out + [Note(t("Not chosen yet."))]
    return out + [Items([(v.name, v.description) for v in d.philosophy.values])]


def _living(d: PhilosophyData, t: Translator) -> list[Block]:
    values = d.philosophy.values
    out: list[Block] = [Heading(2, t("How we live our support philosophy"))]
    if not values:
        return out + [Note(t("Not chosen yet."))]
    out.append(Table([t("Value"), t("Action statement"), t("Key metrics")],
                     [[v.name, v.action_statement or "–", ", ".join(v.metrics) or "–"] for v in values],
                     first_column_bold=True))
    for v in values:
        part: list[Block] = [Heading(3, v.name)]
        if v.description:
            part.append(Para(v.description))
        part.append(Para(v.action_statement or t("No action statement yet."), label=t("Action statement"),
                         emphasis=bool(v.action_statement)))
        part.append(Para(", ".join(v.metrics) or t("None yet."), label=t("Key metrics")))
        rows = [[t(teams.TITLES[p.team]), p.key_actions or "–", p.metrics or "–"] for p in v.practices]
        if rows:
            part.append(Heading(4, t("How each team lives it")))
            part.append(Table([t("Team"), t("Key actions"), t("Metrics")], rows, first_column_bold=True,
                              widths=(18, 50, 32)))
        out.append(Section(part))
    return out


def _hiring(d: PhilosophyData, t: Translator) -> list[Block]:
    out: list[Block] = [Heading(2, t("Hiring: the values benchmark")),
                        Para(t("Interviewers ask candidates these questions and compare their answers with "
                               "those of the colleagues who embody each value."))]
    asked = [v for v in d.benchmark.values if v.questions]
    if not asked:
        return out + [Note(t("No profile questions yet."))]
    for v in asked:
        part: list[Block] = [Heading(3, v.name)]
        for q in v.questions:
            part.append(Para(q.text, emphasis=True))
            if q.answers:
                part.append(Items([(_who(a, t), a.answer) for a in q.answers], quote=True))
            else:
                part.append(Note(t("No benchmark answers yet.")))
        out.append(Section(part))
    return out


def _who(a: hiring.BenchmarkEntry, t: Translator) -> str:
    return f"{a.name} · {t(teams.TITLES[a.team])}" if a.team in teams.TITLES else a.name


def _appendix(d: PhilosophyData, t: Translator) -> list[Block]:
    s = d.status
    date = format_date(s.created_at.date(), format="long", locale=t.lang)
    out: list[Block] = [
        Heading(2, t("Appendix: how we wrote it"), page_break=True),
        Para(date, label=t("Date of the workshop")),
        Para(t(s.question), label=t("Brainstorm question")),
        Para(str(s.cards), label=t("Cards written")),
    ]
    if s.anonymous:
        out.append(Para(t.ngettext("{n} person took part. The workshop was anonymous, so no names are recorded.",
                                   "{n} people took part. The workshop was anonymous, so no names are recorded.",
                                   d.members).format(n=d.members), label=t("Who took part")))
    else:
        out.append(Para(", ".join(d.names) or "–", label=t("Who took part")))
    if d.board.values or d.board.unassigned:
        out.append(Heading(3, t("Core values from the cards")))
        rows = [[f"{v.name} ({len(cards)})", "\n".join(c.text for c in cards) or "–", "✓" if v.chosen else ""]
                for v, cards in d.board.values]
        if d.board.unassigned:
            rows.append([f"{t('Not grouped')} ({len(d.board.unassigned)})",
                         "\n".join(c.text for c in d.board.unassigned), ""])
        out.append(Table([t("Value"), t("Cards"), t("Chosen")], rows, widths=(22, 66, 12)))
    if d.rounds:
        out.append(Heading(3, t("Dot voting")))
        outcome = {"kept": t("kept"), "dropped": t("dropped"), "runoff": t("tie: run-off")}
        for r in d.rounds:
            title = t("Run-off") if r.is_runoff else t("Round {n}").format(n=r.number)
            facts = [t.ngettext("{n} dot each", "{n} dots each", r.budget).format(n=r.budget),
                     t.ngettext("{n} voter", "{n} voters", r.voters).format(n=r.voters),
                     t.ngettext("{n} value kept", "{n} values kept", r.keep).format(n=r.keep)]
            out.append(Section([
                Para(", ".join(facts), label=title),
                Table([t("Value"), t("Dots"), t("Outcome")],
                      [[c.name, str(c.dots), outcome.get(c.outcome, c.outcome)] for c in r.candidates],
                      numeric=(1,), compact=True)]))
    if d.drafts:
        out.append(Heading(3, t("Vision drafts and their ratings")))
        out.append(Para(t("Mean score from 1 to 5 on each criterion; ± is the spread between raters.")))
        header = [t("Draft")] + [t(criteria.TITLES[c]) for c in criteria.ORDER] + [t("Raters")]
        rows = []
        for draft in d.drafts:
            text = draft.text + (f" ({t('chosen')})" if draft.final else "")
            rows.append([text] + [_score(draft.by_criterion[c]) for c in criteria.ORDER] + [str(draft.raters)])
        out.append(Table(header, rows, numeric=tuple(range(1, len(header))), widths=(34, *[54 // len(criteria.ORDER)] * len(criteria.ORDER), 12)))
    g = d.gut_check
    if g.total or g.earlier:
        out.append(Heading(3, t("Stakeholder gut check")))
        if g.hidden:
            # Fewer than five reactions: each could be told apart, so none is counted here either.
            out.append(Para(t.ngettext(
                "{n} stakeholder reacted. The reactions are counted once {min} have: with fewer, each one could "
                "be told apart.",
                "{n} stakeholders reacted. The reactions are counted once {min} have: with fewer, each one could "
                "be told apart.", g.total).format(n=g.total, min=stakeholders.MIN_SEGMENT)))
        else:
            out.append(Table([t("Reaction"), t("Stakeholders")],
                             [[t(stakeholders.TITLES[r]), str(g.counts[r])] for r in stakeholders.REACTIONS],
                             numeric=(1,), compact=True))
    out.append(Note(t("Generated on {date} from the workshop's record.").format(
        date=format_date(d.generated_at.date(), format="long", locale=t.lang))))
    return out


def _score(s: vision.CriterionStats) -> str:
    if s.mean is None:
        return "–"
    return f"{s.mean:.1f} ± {s.spread:.1f}"


def outline(d: PhilosophyData, t: Translator) -> list[Block]:
    """The document as blocks, in the method's order."""
    blocks: list[Block] = [Heading(1, t("Our customer service philosophy"))]
    if d.philosophy.company:
        blocks.append(Note(d.philosophy.company, subtitle=True))
    for part in (_purpose, _vision, _values, _living, _hiring, _appendix):
        blocks.extend(part(d, t))
    return blocks


# ---- the public API -----------------------------------------------------------------

def _prepare(store: Store, code: str, key: str, lang: str | None):
    d = gather(store, code, key, lang)
    return d, translator(d.philosophy.lang)


def _title(d: PhilosophyData, t: Translator) -> str:
    base = t("Our customer service philosophy")
    return f"{d.philosophy.company}: {base}" if d.philosophy.company else base


def render_markdown(store: Store, code: str, key: str, lang: str | None = None) -> str:
    d, t = _prepare(store, code, key, lang)
    return docformats.markdown(outline(d, t))


def render_html(store: Store, code: str, key: str, lang: str | None = None) -> str:
    d, t = _prepare(store, code, key, lang)
    return docformats.html_page(outline(d, t), title=_title(d, t), lang=t.lang)


def render_docx(store: Store, code: str, key: str, lang: str | None = None) -> bytes:
    d, t = _prepare(store, code, key, lang)
    return docformats.docx_bytes(outline(d, t), title=_title(d, t), lang=t.lang)


def file_stem(code: str) -> str:
    return f"philosophy-{workshops.normalize_code(code)}"


def write_documents(store: Store, code: str, out_dir, key: str, lang: str | None = None) -> list[Path]:
    """Write the Markdown, HTML and Word versions into ``out_dir``; returns their paths."""
    d, t = _prepare(store, code, key, lang)
    blocks = outline(d, t)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / file_stem(code)
    paths = [stem.with_suffix(".md"), stem.with_suffix(".html"), stem.with_suffix(".docx")]
    paths[0].write_text(docformats.markdown(blocks), encoding="utf-8")
    paths[1].write_text(docformats.html_page(blocks, title=_title(d, t), lang=t.lang), encoding="utf-8")
    paths[2].write_bytes(docformats.docx_bytes(blocks, title=_title(d, t), lang=t.lang))
    return paths
