"""The one CSV writer: every CSV the toolkit writes (export folder, survey and benchmark downloads) goes through here.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula; participants' text must never do that. Every
text cell starting so (or with an apostrophe, so the prefix can be undone) gets
one leading apostrophe. pandas is imported only when a file is written.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    import pandas as pd

#: Excel reads UTF-8 only when the file starts with a byte order mark.
ENCODING = "utf-8-sig"
#: Written so that Excel recognises it as a date and time.
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
LINE_END = "\r\n"
#: Spreadsheets run a cell that starts like this as a formula; participants' text must not.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value):
    """Prefix an apostrophe (and double an existing one) so a spreadsheet shows the text as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START + ("'",)):
        return "'" + value
    return value


def restore(value: str) -> str:
    """Undo :func:`defuse` on a cell read back."""
    return value[1:] if isinstance(value, str) and value.startswith("'") else value


def _defused(frame: "pd.DataFrame") -> "pd.DataFrame":
    frame = frame.copy()
    for col in frame.columns:
        s = frame[col]
        if s.dtype == object or str(s.dtype) == "string":
            frame[col] = s.astype(object).map(defuse)
    return frame


def write_frame(frame: "pd.DataFrame", target: str | Path | io.StringIO) -> None:
    """Write one table: every text cell defused, Excel's line ends, seconds-precision times.

    ``target`` is a path (written with the BOM Excel needs) or a text buffer."""
    frame = _defused(frame)
    # CRLF, as RFC 4180 and Excel want: it also makes the writer quote any cell holding a bare
    # carriage return, which would otherwise split the row in two.
    if isinstance(target, (str, Path)):
        frame.to_csv(target, index=False, encoding=ENCODING, date_format=TIME_FORMAT, lineterminator=LINE_END)
    else:
        frame.to_csv(target, index=False, date_format=TIME_FORMAT, lineterminator=LINE_END)


def rows_text(rows: Iterable[dict | Sequence], columns: Sequence[str]) -> str:
    """Rows (dicts keyed by ``columns``, or sequences in their order) as CSV text with a header."""
    import pandas as pd

    rows = list(rows)
    if rows and isinstance(rows[0], dict):
        frame = pd.DataFrame.from_records(rows, columns=list(columns))
    else:
        frame = pd.DataFrame([list(r) for r in rows], columns=list(columns))
    frame = frame.astype(object)
    out = io.StringIO()
    write_frame(frame, out)
    return out.getvalue()


# ---- the facilitator panels' downloads --------------------------------------------------

def survey_csv(store, code: str, key: str) -> str:
    """The interpretation survey's answers (``survey.answer_rows``) as CSV text."""
    from workshop.domain.followup import survey

    return rows_text(survey.answer_rows(store, code, key), survey.CSV_COLUMNS)


def benchmark_csv(store, code: str, key: str) -> str:
    """The hiring benchmark sheet (``hiring.benchmark_rows``) as CSV text."""
    from workshop.domain.followup import hiring

    return rows_text(hiring.benchmark_rows(store, code, key), hiring.CSV_COLUMNS)
