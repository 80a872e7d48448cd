"""The published philosophy, read once and worded once.

The document (``document``), the facilitator's preview (stage 08) and the
participants' page all show the same philosophy: the purpose sentence, the
support vision and the chosen values with their action statements and
metrics. ``build`` reads it from the database and words it in the reader's
language, so the three cannot tell it differently. Everything here is public
(participants see it), so no facilitator key is needed; what needs the key —
names, the hiring benchmark, the gut-check tallies — stays in the document's
own sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workshop.core import phases
from workshop.domain import grouping, workshops
from workshop.domain.followup import teams
from workshop.i18n import Translator, translator
from workshop.store import Store, Tx, query

# ---- the wording rules --------------------------------------------------------------------

#: Marks that already end a sentence.
_ENDS = ".!?。！？"
#: The full stop a sentence gets when it has none, by language; "." for the others.
_FULL_STOP = {"zh_Hant": "。"}
#: "to keep families connected" and "keep families connected" both read right after "... is to".
_LEADING_TO = re.compile(r"^to\s+", re.IGNORECASE)


def sentence(text: str, lang: str = "en") -> str:
    """``text`` stripped and ending like a sentence ("Keep it." stays, "Keep it" gets its full stop)."""
    text = (text or "").strip()
    if not text or text[-1] in _ENDS:
        return text
    return text + _FULL_STOP.get(lang, ".")


def purpose_clause(purpose: str) -> str:
    """The purpose as it reads after "... is to": a leading "to " dropped."""
    return _LEADING_TO.sub("", (purpose or "").strip(), count=1).strip()


def organisation(company: str, title: str) -> str:
    """Who "our" is: the company's name, else the workshop's title."""
    return (company or "").strip() or (title or "").strip()


def purpose_sentence(purpose: str, company: str, title: str, t: Translator) -> str:
    """"Our purpose at Acme is to keep families connected." in ``t``'s language; "" with no purpose."""
    clause = purpose_clause(purpose)
    if not clause:
        return ""
    return sentence(t("Our purpose at {company} is to {purpose}").format(
        company=organisation(company, title), purpose=clause), t.lang)


# ---- the model ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Value:
    """One chosen value, as the philosophy shows it."""
    id: int
    name: str
    description: str
    action_statement: str
    metrics: tuple[str, ...] = ()
    #: How each team lives it (stage 10), in the order of ``teams.PRACTICE_TEAMS``.
    practices: tuple[teams.Practice, ...] = ()


@dataclass(frozen=True)
class Philosophy:
    """The workshop's customer service philosophy, worded in one language."""
    code: str
    #: The language the sentences are worded in.
    lang: str
    phase: str
    title: str
    #: As written; "" when the workshop has no company name.
    company: str
    #: Who "our" is: the company, else the workshop's title.
    organisation: str
    #: The purpose as written (stripped).
    purpose: str
    #: "Our purpose at {organisation} is to {purpose}." — "" until a purpose is written.
    purpose_sentence: str
    #: The chosen vision statement; "" until one is chosen.
    vision: str
    #: The chosen values in their order.
    values: tuple[Value, ...]

    @property
    def published(self) -> bool:
        return self.phase == phases.PUBLISHED


@query
def _read(tx: Tx, code: str):
    # One snapshot: the vision, the values and their practices as they stood together.
    return (workshops.status.__wrapped__(tx, code),
            grouping.values.__wrapped__(tx, code, only_chosen=True),
            teams.practices.__wrapped__(tx, code))


def build(store: Store, code: str, t: Translator | None = None) -> Philosophy:
    """The workshop's philosophy, worded by ``t`` (default: in the workshop's language)."""
    status, values, practices = _read(store, code)
    t = t or translator(status.language)
    return Philosophy(
        code=status.code,
        lang=t.lang,
        phase=status.phase,
        title=status.title,
        company=(status.company or "").strip(),
        organisation=organisation(status.company, status.title),
        purpose=(status.purpose or "").strip(),
        purpose_sentence=purpose_sentence(status.purpose, status.company, status.title, t),
        vision=(status.vision or "").strip(),
        values=tuple(
            Value(id=v.id, name=v.name, description=v.description, action_statement=v.action_statement,
                  metrics=tuple(v.metrics),
                  practices=tuple(practices[v.id, team] for team in teams.PRACTICE_TEAMS
                                  if (v.id, team) in practices))
            for v in values),
    )
