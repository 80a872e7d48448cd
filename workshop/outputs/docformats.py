"""Writes a document's blocks as Markdown, a self-contained printable HTML page, or a Word file.

Every text in a block may come from a participant: each writer escapes it
for its format (Markdown punctuation, HTML entities; Word needs no escaping).
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field

# ---- blocks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    level: int  # 1 = document title
    text: str
    #: Start a new page when printed (the appendix).
    page_break: bool = False


@dataclass(frozen=True)
class Para:
    text: str
    #: Shown in bold before the text: "Key metrics: NPS".
    label: str | None = None
    #: The opening sentence, set larger.
    lead: bool = False
    emphasis: bool = False


@dataclass(frozen=True)
class Note:
    """Muted text: "not written yet", the company under the title, the generation date."""
    text: str
    subtitle: bool = False


@dataclass(frozen=True)
class Quote:
    """The vision statement, set large."""
    text: str


@dataclass(frozen=True)
class Items:
    """A list of (term, explanation); ``quote`` sets the explanation as a quoted answer."""
    items: list[tuple[str, str]]
    quote: bool = False


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    first_column_bold: bool = False
    #: Indexes of columns holding numbers (right-aligned).
    numeric: tuple[int, ...] = field(default_factory=tuple)
    #: Share of the width per column, in percent (HTML); empty lets the browser decide.
    widths: tuple[int, ...] = field(default_factory=tuple)
    #: As narrow as its content, for short lists of numbers.
    compact: bool = False


@dataclass(frozen=True)
class Section:
    """Blocks kept on one printed page when they fit (a value with its team table)."""
    blocks: list


Block = Heading | Para | Note | Quote | Items | Table | Section


def flatten(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for b in blocks:
        out.extend(flatten(b.blocks) if isinstance(b, Section) else [b])
    return out


# ---- Markdown ------------------------------------------------------------------------

_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
# A line that starts like a heading, a list item, a rule or a setext underline.
_MD_BLOCK_START = re.compile(r"^(\s*)([#+\-=])", re.MULTILINE)
_MD_ORDERED_START = re.compile(r"^(\s*\d+)([.)])(?=\s|$)", re.MULTILINE)


def md(text: str) -> str:
    """Escape Markdown so participant text is shown as typed, never as markup or HTML."""
    text = _MD_INLINE.sub(r"\\\1", str(text))
    text = _MD_BLOCK_START.sub(r"\1\\\2", text)
    text = _MD_ORDERED_START.sub(r"\1\\\2", text)
    return text.replace("\n", "  \n")


def _md_cell(text: str) -> str:
    return md(text).replace("  \n", "<br>")


def markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in flatten(blocks):
        if isinstance(b, Heading):
            out.append("#" * b.level + " " + md(b.text).replace("  \n", " "))
        elif isinstance(b, Para):
            text = f"*{md(b.text)}*" if b.emphasis else md(b.text)
            out.append(f"**{md(b.label)}:** {text}" if b.label else text)
        elif isinstance(b, Note):
            out.append(f"*{md(b.text)}*")
        elif isinstance(b, Quote):
            out.append("> **" + md(b.text).replace("  \n", "  \n> ") + "**")
        elif isinstance(b, Items):
            lines = []
            for term, text in b.items:
                if b.quote:
                    lines.append(f"- **{md(term)}:** “{md(text)}”".replace("  \n", "  \n  "))
                else:
                    lines.append(f"- **{md(term)}**" + (f": {md(text)}".replace("  \n", "  \n  ") if text else ""))
            out.append("\n".join(lines))
        elif isinstance(b, Table):
            align = ["---:" if i in b.numeric else "---" for i in range(len(b.header))]
            lines = ["| " + " | ".join(_md_cell(h) for h in b.header) + " |", "| " + " | ".join(align) + " |"]
            for row in b.rows:
                cells = [_md_cell(c) for c in row]
                if b.first_column_bold and cells and cells[0]:
                    cells[0] = f"**{cells[0]}**"
                lines.append("| " + " | ".join(cells) + " |")
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


# ---- HTML ------------------------------------------------------------------------------

def _h(text: str) -> str:
    """Escaped, with the author's line breaks kept."""
    return html.escape(str(text), quote=True).replace("\n", "<br>")


CSS = """
:root { --ink: #1d2433; --muted: #5b6475; --accent: #1f5fae; --rule: #d9dee7; --soft: #f3f6fb; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.55 "Source Serif Pro", Georgia, "Noto Serif", "Noto Serif CJK TC", "Songti TC",
        "PMingLiU", serif; }
main { max-width: 46rem; margin: 0 auto; padding: 3rem 1.5rem 4rem; }
h1, h2, h3, h4, .subtitle, th, .label { font-family: system-ui, -apple-system, "Segoe UI", Roboto,
  "Noto Sans", "Noto Sans CJK TC", "PingFang TC", "Microsoft JhengHei", sans-serif; }
h1 { font-size: 2.2rem; line-height: 1.15; margin: 0 0 .3rem; letter-spacing: -.01em; }
.subtitle { color: var(--muted); font-size: 1.15rem; margin: 0 0 2.2rem; }
h2 { font-size: 1.35rem; margin: 2.4rem 0 .8rem; padding-bottom: .3rem; border-bottom: 2px solid var(--accent);
  color: var(--accent); }
h3 { font-size: 1.12rem; margin: 1.8rem 0 .4rem; }
h4 { font-size: .95rem; margin: 1rem 0 .4rem; color: var(--muted); text-transform: uppercase;
  letter-spacing: .04em; }
p { margin: .45rem 0; overflow-wrap: break-word; }
p.lead { font-size: 1.15rem; }
.label { font-weight: 650; font-size: .92em; }
p.note { color: var(--muted); font-style: italic; }
blockquote.vision { margin: 1rem 0 1.4rem; padding: 1.1rem 1.4rem; background: var(--soft);
  border-left: 5px solid var(--accent); font-size: 1.5rem; line-height: 1.35; font-weight: 600;
  overflow-wrap: break-word; }
ul.items { padding-left: 1.2rem; margin: .5rem 0; }
ul.items li { margin: .3rem 0; overflow-wrap: break-word; }
ul.answers { list-style: none; padding-left: 0; }
ul.answers li { border-left: 3px solid var(--rule); padding: .15rem 0 .15rem .8rem; }
table { width: 100%; border-collapse: collapse; margin: .6rem 0 1rem; font-size: .93rem; }
th, td { text-align: left; vertical-align: top; padding: .4rem .55rem; border-bottom: 1px solid var(--rule);
  overflow-wrap: break-word; }
th { background: var(--soft); font-size: .85rem; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td.strong { font-weight: 650; }
td:first-child { min-width: 8rem; }
table.compact { width: auto; min-width: 55%; }
@page { size: A4; margin: 18mm 16mm 20mm; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 22pt; }
  h2 { font-size: 14pt; margin-top: 16pt; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  h2.new-page { break-before: page; page-break-before: always; }
  /* Rows, quotes and paragraphs never split; headings stay with what follows. Whole sections
     may split: keeping them whole pushed a one-line footer onto a page of its own. */
  tr, blockquote, li, p { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def html_body(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Section):
            out.append(f'<section class="keep">\n{html_body(b.blocks)}\n</section>')
        elif isinstance(b, Heading):
            cls = ' class="new-page"' if b.page_break else ""
            out.append(f"<h{b.level}{cls}>{_h(b.text)}</h{b.level}>")
        elif isinstance(b, Para):
            text = f"<em>{_h(b.text)}</em>" if b.emphasis else _h(b.text)
            label = f'<span class="label">{_h(b.label)}:</span> ' if b.label else ""
            cls = ' class="lead"' if b.lead else ""
            out.append(f"<p{cls}>{label}{text}</p>")
        elif isinstance(b, Note):
            out.append(f'<p class="{"subtitle" if b.subtitle else "note"}">{_h(b.text)}</p>')
        elif isinstance(b, Quote):
            out.append(f'<blockquote class="vision">“{_h(b.text)}”</blockquote>')
        elif isinstance(b, Items):
            if b.quote:
                lis = "".join(f'<li><span class="label">{_h(term)}:</span> “{_h(text)}”</li>'
                              for term, text in b.items)
                out.append(f'<ul class="items answers">{lis}</ul>')
            else:
                lis = "".join(f"<li><strong>{_h(term)}</strong>" + (f": {_h(text)}" if text else "") + "</li>"
                              for term, text in b.items)
                out.append(f'<ul class="items">{lis}</ul>')
        elif isinstance(b, Table):
            def cls(i, first_bold):
                names = (["num"] if i in b.numeric else []) + (["strong"] if first_bold and i == 0 else [])
                return f' class="{" ".join(names)}"' if names else ""
            cols = "".join(f'<col style="width:{w}%">' for w in b.widths)
            cols = f"<colgroup>{cols}</colgroup>" if cols else ""
            head = "".join(f"<th{cls(i, False)}>{_h(c)}</th>" for i, c in enumerate(b.header))
            rows = "".join("<tr>" + "".join(f"<td{cls(i, b.first_column_bold)}>{_h(c)}</td>"
                                            for i, c in enumerate(row)) + "</tr>" for row in b.rows)
            table_cls = ' class="compact"' if b.compact else ""
            out.append(f"<table{table_cls}>{cols}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return "\n".join(out)


def html_page(blocks: list[Block], *, title: str, lang: str = "en") -> str:
    """A complete page with its style inline: opens offline, prints to PDF from any browser."""
    html_lang = "zh-Hant" if lang == "zh_Hant" else lang
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(html_lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_h(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            f"{html_body(blocks)}\n</main>\n</body>\n</html>\n")


# ---- Word -------------------------------------------------------------------------------

def _repeat_and_keep(row, header: bool = False) -> None:
    """A row never splits across pages; the header row repeats on each page."""
    from docx.oxml import OxmlElement

    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def docx_bytes(blocks: list[Block], *, title: str, lang: str = "en") -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    muted = RGBColor(0x5B, 0x64, 0x75)
    doc = Document()
    doc.core_properties.title = title
    doc.core_properties.language = "zh-TW" if lang == "zh_Hant" else lang
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4, like the HTML's print style
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    text_width = Cm(17)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    # Chinese text needs an East Asian font named, or Word falls back to one without the glyphs.
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Microsoft JhengHei")

    def runs(p, text: str, *, bold=False, italic=False, size=None, color=None):
        r = p.add_run(text)
        r.bold, r.italic = bold or None, italic or None
        if size:
            r.font.size = Pt(size)
        if color is not None:
            r.font.color.rgb = color
        return r

    for b in flatten(blocks):
        if isinstance(b, Heading):
            if b.page_break:
                doc.add_page_break()
            doc.add_heading(b.text, level=0 if b.level == 1 else b.level - 1)
        elif isinstance(b, Para):
            p = doc.add_paragraph()
            if b.label:
                runs(p, f"{b.label}: ", bold=True)
            runs(p, b.text, italic=b.emphasis, size=13 if b.lead else None)
        elif isinstance(b, Note):
            if b.subtitle:
                doc.add_paragraph(b.text, style="Subtitle")
            else:
                runs(doc.add_paragraph(), b.text, italic=True, color=muted)
        elif isinstance(b, Quote):
            p = doc.add_paragraph(style="Intense Quote")
            runs(p, f"“{b.text}”", bold=True, size=16)
        elif isinstance(b, Items):
            for term, text in b.items:
                p = doc.add_paragraph(style="List Bullet")
                if b.quote:
                    runs(p, f"{term}: ", bold=True)
                    runs(p, f"“{text}”")
                else:
                    runs(p, term, bold=True)
                    if text:
                        runs(p, f": {text}")
        elif isinstance(b, Table):
            table = doc.add_table(rows=1, cols=len(b.header))
            table.style = "Light List Accent 1"
            table.alignment = WD_TABLE_ALIGNMENT.LEFT
            # The style would make every first column bold; only some tables want that.
            look = table._tbl.tblPr.find(qn("w:tblLook"))
            if look is None:
                look = OxmlElement("w:tblLook")
                table._tbl.tblPr.append(look)
            look.set(qn("w:val"), "0420")  # header row, no column banding
            for attr, on in (("firstRow", 1), ("lastRow", 0), ("firstColumn", 0), ("lastColumn", 0),
                             ("noHBand", 0), ("noVBand", 1)):
                look.set(qn(f"w:{attr}"), str(on))
            for i, text in enumerate(b.header):
                cell = table.rows[0].cells[i]
                cell.text = ""
                runs(cell.paragraphs[0], text, bold=True)
            _repeat_and_keep(table.rows[0], header=True)
            for row in b.rows:
                new_row = table.add_row()
                _repeat_and_keep(new_row)
                cells = new_row.cells
                for i, text in enumerate(row):
                    p = cells[i].paragraphs[0]
                    runs(p, text, bold=b.first_column_bold and i == 0)
                    if i in b.numeric:
                        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for i in b.numeric:
                table.rows[0].cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            share = list(b.widths) or [100 / len(b.header)] * len(b.header)
            scale = 0.6 if b.compact else 1.0
            table.autofit = False
            # Word reads the cell widths, LibreOffice the column grid: set both.
            for column, pct in zip(table.columns, share):
                column.width = int(text_width * scale * pct / 100)
            for row in table.rows:
                for cell, pct in zip(row.cells, share):
                    cell.width = int(text_width * scale * pct / 100)
            doc.add_paragraph()
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
