"""The exported tables and their columns, each declared once with its type and meaning.

``workshop.export`` builds its rows to match these declarations, and
``data/DATA_DICTIONARY.md`` is generated from them (``python -m workshop.outputs.datadict``);
a test fails when the committed file and this module disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Column types: how a column is written to CSV and read back by ``export.load_csv_dir``.
TYPES = {
    "text": "text (empty when there is none)",
    "integer": "whole number (empty when there is none)",
    "number": "decimal number (empty when there is none)",
    "boolean": "`True` or `False`",
    "timestamp": "UTC date and time, `YYYY-MM-DD HH:MM:SS`",
}


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: dict[str, tuple[str, str]]  # column -> (type, description)
    #: Written only when it has rows (the later, optional steps of the method).
    optional: bool = False

    @property
    def file(self) -> str:
        return f"{self.name}.csv"


_CODE = ("text", "The workshop's join code; ties rows of several workshops apart.")
_NUMBER = ("integer", "The participant's stable number in this workshop (the N of “Participant N”).")
_WHO = ("text", "The participant's name, or the pseudonym “Participant N” "
                "(always in an anonymous workshop, and without the facilitator key).")
_VALUE_ID = ("integer", "The value's id (see values.csv).")
_BALLOT_NUMBER = ("integer", "With open ballots: the voter's number (as in participants.csv); empty for a secret "
                             "ballot (the default).")
_BALLOT_WHO = ("text", "With open ballots: the voter's name or pseudonym, by the rule of the participant column "
                       "elsewhere; empty for a secret ballot (the default).")
_VALUE_NAME = ("text", "The value's name.")


TABLES: dict[str, Table] = {t.name: t for t in [
    Table("workshop", "The workshop itself: one row.", {
        "workshop_code": _CODE,
        "title": ("text", "Title of the workshop."),
        "company": ("text", "Company name."),
        "purpose": ("text", "The company's purpose or mission, as entered by the facilitator."),
        "question": ("text", "The brainstorm question."),
        "language": ("text", "Language of the workshop: en, de or zh_Hant."),
        "phase": ("text", "Stage the workshop had reached at export: setup, brainstorm, grouping, voting, "
                          "drafting, rating, actions or published."),
        "anonymous": ("boolean", "Whether participants joined without names."),
        "vote_target": ("integer", "How many values the vote keeps (usually five)."),
        "vision": ("text", "The final customer support vision, once chosen."),
        "final_draft_id": ("integer", "The draft the final vision came from (see drafts.csv)."),
        "participants": ("integer", "Number of workshop members (not stakeholders or survey respondents)."),
        "cards": ("integer", "Brainstorm cards not withdrawn."),
        "values": ("integer", "Values on the board (not removed or merged away)."),
        "chosen_values": ("integer", "Values kept by the vote."),
        "drafts": ("integer", "Vision drafts not withdrawn."),
        "created_at": ("timestamp", "When the workshop was created."),
        "exported_at": ("timestamp", "When this export was made."),
        "names_included": ("boolean", "True when participant columns hold real names (named workshop, "
                                      "exported with the facilitator key)."),
        "open_ballots": ("boolean", "True when the facilitator chose open ballots: votes.csv and ratings.csv "
                                    "then name the voter; by default they show only a ballot id."),
        "privacy_notes": ("text", "What this export leaves out or merges to keep people from being told apart "
                                  "(small survey teams, few gut-check reactions), one note per line; empty when "
                                  "nothing."),
    }),
    Table("participants", "Everyone who joined: one row per person. In an anonymous workshop the rows carry "
                          "no number, pseudonym or times, so they link to no other table.", {
        "workshop_code": _CODE,
        "participant_number": _NUMBER,
        "participant": _WHO,
        "role": ("text", "member (in the workshop), stakeholder (gut check), employee (survey) "
                         "or exemplar (hiring benchmark)."),
        "team": ("text", "Team the person gave, if any (survey and benchmark)."),
        "joined_at": ("timestamp", "When the person first joined; empty in an anonymous workshop."),
        "last_seen_at": ("timestamp", "When the person was last active; empty in an anonymous workshop."),
    }),
    Table("cards", "Brainstorm cards: one row per card, with the value it was grouped into.", {
        "workshop_code": _CODE,
        "card_id": ("integer", "The card's id."),
        "participant_number": ("integer", "Number of the author; empty when the facilitator typed it in."),
        "participant": ("text", "The author's name or pseudonym; “Facilitator” for cards typed in by "
                                "the facilitator."),
        "text": ("text", "What the card says."),
        "value_id": ("integer", "The value the card is grouped under; empty when unassigned."),
        "value_name": ("text", "That value's name."),
        "withdrawn": ("boolean", "True when the author took the card back; such cards count nowhere."),
        "created_at": ("timestamp", "When the card was written."),
        "updated_at": ("timestamp", "When the card was last edited."),
    }),
    Table("values", "Core values (affinity groups of cards): one row per value ever created.", {
        "workshop_code": _CODE,
        "value_id": ("integer", "The value's id."),
        "name": ("text", "The value's name."),
        "description": ("text", "What the value means, in a sentence."),
        "position": ("integer", "Order on the board."),
        "status": ("text", "active, merged (into another value) or removed."),
        "merged_into_id": ("integer", "For a merged value: the value it was merged into."),
        "cards": ("integer", "Cards (not withdrawn) grouped under the value now."),
        "chosen": ("boolean", "True when the vote kept this value."),
        "action_statement": ("text", "How we live this value (chosen values only)."),
        "created_at": ("timestamp", "When the value was created."),
    }),
    Table("vote_rounds", "Dot-voting rounds: one row per round.", {
        "workshop_code": _CODE,
        "round_number": ("integer", "1, 2, ... in the order the rounds ran."),
        "is_runoff": ("boolean", "True for a run-off between values tied at the cut."),
        "budget": ("integer", "Dots each person could place."),
        "cap": ("integer", "Most dots one person could put on one value; empty when unlimited."),
        "keep": ("integer", "How many values the round keeps."),
        "status": ("text", "open or closed."),
        "candidates": ("integer", "Values on the ballot."),
        "voters": ("integer", "People who placed at least one dot (closed rounds only)."),
        "dots_cast": ("integer", "Dots placed in total (closed rounds only)."),
        "opened_at": ("timestamp", "When the round opened."),
        "closed_at": ("timestamp", "When it closed; empty while open."),
    }),
    Table("votes", "Dot allocations: one row per ballot (one person's dots in one round) and value with at "
                   "least one dot. Rounds still open are left out, so an export never reveals a running vote. "
                   "The ballot is secret unless the facilitator chose open ballots.", {
        "workshop_code": _CODE,
        "round_number": ("integer", "The round (see vote_rounds.csv)."),
        "ballot": ("text", "A random id of one person's ballot in this round: the same in every export of the "
                           "workshop, different in every round, and linked to nobody."),
        "participant_number": _BALLOT_NUMBER,
        "participant": _BALLOT_WHO,
        "value_id": _VALUE_ID,
        "value_name": _VALUE_NAME,
        "dots": ("integer", "Dots this person put on this value in this round."),
        "updated_at": ("timestamp", "When the person last changed this allocation."),
    }),
    Table("round_results", "The outcome of each round: one row per round and candidate value.", {
        "workshop_code": _CODE,
        "round_number": ("integer", "The round (see vote_rounds.csv)."),
        "is_runoff": ("boolean", "True for a run-off round."),
        "value_id": _VALUE_ID,
        "value_name": _VALUE_NAME,
        "dots": ("integer", "Dots the value received; empty while the round is open."),
        "rank": ("integer", "1 for the most dots; tied values share a rank."),
        "outcome": ("text", "kept, dropped or runoff (tied at the cut); empty while the round is open."),
    }),
    Table("drafts", "Vision drafts: one row per draft.", {
        "workshop_code": _CODE,
        "draft_id": ("integer", "The draft's id."),
        "participant_number": ("integer", "Number of the author; empty when the facilitator typed it in."),
        "participant": ("text", "The author's name or pseudonym; “Facilitator” for drafts typed in by "
                                "the facilitator."),
        "text": ("text", "The draft vision statement."),
        "withdrawn": ("boolean", "True when the draft was withdrawn or taken off the list."),
        "final": ("boolean", "True for the draft chosen as the final vision."),
        "created_at": ("timestamp", "When the draft was written."),
    }),
    Table("ratings", "Ratings of drafts: one row per ballot (one person's scores), draft and criterion. The "
                     "ballot is secret unless the facilitator chose open ballots.", {
        "workshop_code": _CODE,
        "draft_id": ("integer", "The draft (see drafts.csv)."),
        "ballot": ("text", "A random id of one person's rating ballot (all drafts and criteria): the same in "
                           "every export of the workshop, and linked to nobody."),
        "participant_number": _BALLOT_NUMBER,
        "participant": _BALLOT_WHO,
        "criterion": ("text", "simple (simple to understand and act on), service (describes the service "
                              "we give) or identity (who we are and want to be)."),
        "score": ("integer", "1 (not at all) to 5 (completely)."),
        "updated_at": ("timestamp", "When the person last changed this score."),
    }),
    Table("rating_summary", "Ratings summarised: one row per draft (not withdrawn) and criterion.", {
        "workshop_code": _CODE,
        "draft_id": ("integer", "The draft (see drafts.csv)."),
        "criterion": ("text", "simple, service or identity (see ratings.csv)."),
        "count": ("integer", "How many people rated the draft on this criterion."),
        "mean": ("number", "Mean score, rounded to 3 decimals; empty when nobody rated."),
        "median": ("number", "Median score."),
        "spread": ("number", "Sample standard deviation of the scores, rounded to 3 decimals "
                             "(0 for a single rating): high means the room disagrees."),
        "low": ("integer", "Lowest score given."),
        "high": ("integer", "Highest score given."),
        "final": ("boolean", "True for the draft chosen as the final vision."),
    }),
    Table("actions", "How we live each chosen value: one row per chosen value.", {
        "workshop_code": _CODE,
        "value_id": _VALUE_ID,
        "value_name": _VALUE_NAME,
        "position": ("integer", "Order on the board."),
        "action_statement": ("text", "The action statement; empty until written."),
        "metrics": ("integer", "How many key metrics the value has (see metrics.csv)."),
    }),
    Table("metrics", "Key metrics: one row per chosen value and metric.", {
        "workshop_code": _CODE,
        "value_id": _VALUE_ID,
        "value_name": _VALUE_NAME,
        "position": ("integer", "Order of the metric within its value, from 0."),
        "metric": ("text", "The metric that shows the value is lived."),
    }),
    Table("events", "The workshop's log of every action, oldest first: one row per action.", {
        "workshop_code": _CODE,
        "event_id": ("integer", "Increasing id; orders events written in the same second."),
        "at": ("timestamp", "When it happened."),
        "actor": ("text", "“facilitator”, or the participant's name or pseudonym; “ballot …” (the ballot id of "
                          "votes.csv or ratings.csv) for a dot or score of a secret ballot; “anonymous” in an "
                          "anonymous workshop."),
        "participant_number": ("integer", "The acting participant's number; empty for the facilitator, for "
                                          "secret ballots and in an anonymous workshop."),
        "kind": ("text", "What happened, e.g. card_added, round_closed, vision_chosen."),
        "payload": ("text", "The details as JSON; participant names follow the same rule as the "
                            "participant column."),
    }),
    Table("team_practices", "How each team lives each chosen value: one row per value and team.", {
        "workshop_code": _CODE,
        "value_id": _VALUE_ID,
        "value_name": _VALUE_NAME,
        "team": ("text", "support, sales, design, product, hr, leadership, marketing or another team."),
        "key_actions": ("text", "The team's key actions for this value."),
        "metrics": ("text", "The team's metrics for this value."),
    }, optional=True),
    Table("stakeholder_reactions", "Gut check: one row per stakeholder who reacted to the vision and values.", {
        "workshop_code": _CODE,
        "participant_number": _NUMBER,
        "participant": _WHO,
        "reaction": ("text", "lands, unsure or no (does not land); empty for everyone while fewer than five "
                             "stakeholders have reacted to the current wording (see privacy_notes)."),
        "comment": ("text", "Optional comment."),
        "updated_at": ("timestamp", "When the reaction was last changed."),
    }, optional=True),
    Table("benchmark_answers", "Hiring benchmark: one row per exemplary team member and profile question.", {
        "workshop_code": _CODE,
        "value_id": _VALUE_ID,
        "value_name": _VALUE_NAME,
        "question_id": ("integer", "The profile question's id."),
        "question": ("text", "The profile question."),
        "question_removed": ("boolean", "True when the facilitator took the question off the benchmark "
                                        "(its answers are kept here)."),
        "participant_number": _NUMBER,
        "participant": _WHO,
        "team": ("text", "The answering person's team."),
        "answer": ("text", "Their answer."),
        "updated_at": ("timestamp", "When the answer was last changed."),
    }, optional=True),
    Table("survey_answers", "Employee interpretation survey: one row per employee and value.", {
        "workshop_code": _CODE,
        "participant_number": _NUMBER,
        "participant": _WHO,
        "team": ("text", "The employee's team; “other teams” for teams with fewer than five respondents, "
                         "empty when those together are still fewer than five (see privacy_notes)."),
        "value_id": _VALUE_ID,
        "value_name": _VALUE_NAME,
        "meaning": ("text", "What the value means for the employee's daily work."),
        "clarity": ("integer", "How clear the value is to them, 1 (not at all) to 5 (very)."),
        "updated_at": ("timestamp", "When the answer was last changed."),
    }, optional=True),
]}


def columns(table: str) -> list[str]:
    return list(TABLES[table].columns)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    """The data dictionary as Markdown: what ``data/DATA_DICTIONARY.md`` must contain."""
    out = [
        "# Data dictionary of the CSV export",
        "",
        "<!-- Generated from workshop/outputs/datadict.py by `python -m workshop.outputs.datadict`; do not edit by hand. -->",
        "",
        "`workshop export CODE --out DIR` (or `workshop.outputs.export.export_workshop`) writes one CSV file per",
        "table below. From Python, `workshop.outputs.export.frames(store, code)` returns the same tables as",
        "pandas DataFrames and `workshop.outputs.export.load_csv_dir(DIR)` reads an export back with these types.",
        "",
        "- Encoding: UTF-8 with a byte order mark (BOM), so Excel shows umlauts and Chinese text correctly;",
        "  comma-separated, one header row, the column names below in this order.",
        "- Every table starts with `workshop_code`, so the tables of several workshops can be stacked.",
        "- Names: in any export of a named workshop made without the facilitator key, every participant",
        "  appears as a stable pseudonym “Participant N” (N = `participant_number`). Names appear only for a",
        "  named workshop exported with its facilitator key. In an anonymous workshop nobody has a number,",
        "  pseudonym or join time in any table (the participant column reads “anonymous”), so no table can",
        "  be grouped by person or linked to another.",
        "- Secret ballots (the default): `votes.csv` and `ratings.csv` show a random `ballot` id instead of",
        "  the voter, stable across exports but linked to nobody; the events of votes and ratings show the",
        "  same ballot id. With open ballots (`workshop new --open-ballots`) they also name the voter.",
        "- Small groups: survey teams with fewer than five respondents are merged into “other teams” (or",
        "  hidden), and gut-check reactions are left out while fewer than five; `workshop.csv` says so",
        "  in `privacy_notes`.",
        "- Text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a",
        "  carriage return) is written with an apostrophe in front, as is text that starts with an",
        "  apostrophe; `load_csv_dir` takes it off again.",
        "- Tables marked *optional* are written only when they have rows.",
        "",
        "Column types:",
        "",
    ]
    out += [f"- **{name}**: {desc}" for name, desc in TYPES.items()]
    for t in TABLES.values():
        out += ["", f"## {t.file}" + (" (optional)" if t.optional else ""), "", t.description, "",
                "| column | type | meaning |", "|---|---|---|"]
        out += [f"| `{col}` | {typ} | {_cell(desc)} |" for col, (typ, desc) in t.columns.items()]
    return "\n".join(out) + "\n"


#: The analysts' copy at the top of a checkout (regenerated by developers, not at run time).
DICTIONARY_PATH = Path(__file__).resolve().parents[2] / "data" / "DATA_DICTIONARY.md"

if __name__ == "__main__":
    DICTIONARY_PATH.write_text(markdown(), encoding="utf-8")
    print(DICTIONARY_PATH)
