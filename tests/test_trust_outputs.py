"""What leaves the toolkit in files: no CSV cell a spreadsheet would run, secret ballots by default,
anonymous exports that link nobody, and small survey teams or gut-check groups never shown apart.

Each test runs on SQLite and on PostgreSQL (the ``store`` fixture); refusals are checked with
``refused()``: nothing changed, revision included."""

from __future__ import annotations

import csv
import inspect
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.domain_helpers import events, go_to, join_many, refused, vote, voting_workshop
from workshop.core import phases
from workshop.core.errors import NotAuthorized, WrongPhase
from workshop.domain import actionable, ballots, cards, grouping, vision, voting, workshops
from workshop.domain.followup import hiring, stakeholders, survey, teams
from workshop.outputs import csvfile, export
from workshop.store import Store

#: Every way a spreadsheet cell can start a formula (issue 12, item 5).
HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(1)", "\tx", "\rx"]


def _secret_kw(store: Store, code: str, key: str, fn, role: str) -> dict:
    """The follow-up link's own secret, where the join asks for one (issue 12, item 4)."""
    if "secret" not in inspect.signature(fn).parameters:
        return {}
    from workshop.domain import audiences
    return {"secret": audiences.secret(store, code, key, role)}


def employee(store, code, key, name, team):
    return survey.join(store, code, name, team, **_secret_kw(store, code, key, survey.join, survey.ROLE)).token


def stakeholder(store, code, key, name=None):
    return stakeholders.join(store, code, name, **_secret_kw(store, code, key, stakeholders.join,
                                                             stakeholders.ROLE)).token


def exemplar(store, code, key, name, team=""):
    return hiring.join(store, code, name, team, **_secret_kw(store, code, key, hiring.join, hiring.ROLE)).token


def csv_cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def folder_cells(folder: Path) -> dict[str, list[list[str]]]:
    return {p.name: csv_cells(p.read_text(encoding="utf-8-sig")) for p in sorted(folder.glob("*.csv"))}


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def hostile_workshop(store: Store, *, anonymous: bool = False):
    """A finished workshop with hostile text in every free-text field people or the facilitator fill in."""
    h = HOSTILE
    c = workshops.create_workshop(store, h[0], company=h[1], purpose=h[2], question=h[3], anonymous=anonymous)
    code, key = c.code, c.key
    go_to(store, code, key, phases.BRAINSTORM)
    members = [workshops.join(store, code, None if anonymous else f"{x} {i}").token for i, x in enumerate(h)]
    card_ids = [cards.add_card(store, code, members[i], text).id for i, text in enumerate(h)]
    cards.add_card_as_facilitator(store, code, key, h[0] + " said aloud")
    cards.reveal(store, code, key)
    value_ids = [grouping.create_value(store, code, key, f"{text} {i}", description=text, card_ids=[cid])
                 for i, (text, cid) in enumerate(zip(h, card_ids))]
    go_to(store, code, key, phases.VOTING)
    voting.open_round(store, code, key, budget=2, cap=None, keep=3)
    vote(store, code, {t: {value_ids[i % 6]: 1, value_ids[(i + 1) % 6]: 1} for i, t in enumerate(members)})
    voting.close_round(store, code, key)
    voting.settle(store, code, key, value_ids[:3])
    go_to(store, code, key, phases.DRAFTING)
    drafts = [vision.add_draft(store, code, members[i], text).id for i, text in enumerate(h)]
    go_to(store, code, key, phases.RATING)
    for i, t in enumerate(members):
        vision.rate(store, code, t, drafts[0], "simple", 1 + i % 5)
    vision.choose_vision(store, code, key, drafts[0], h[0] + " final")
    go_to(store, code, key, phases.ACTIONS)
    for i, vid in enumerate(value_ids[:3]):
        actionable.set_action_statement(store, code, key, vid, h[i])
        actionable.set_metrics(store, code, key, vid, [h[i + 3], h[i]])
        teams.set_practice(store, code, key, vid, teams.SUPPORT, h[i], h[i + 3])
    for i, text in enumerate(h):
        stakeholders.react(store, code, stakeholder(store, code, key, None if anonymous else f"{text} {i}"),
                           stakeholders.REACTIONS[i % 3], text)
    for i in range(survey.MIN_SEGMENT):
        for team in (teams.SUPPORT, teams.SALES):
            token = employee(store, code, key, None if anonymous else f"{h[i]} {team}", team)
            survey.answer(store, code, token, value_ids[0], 1 + i % 5, h[i])
    qid = hiring.add_question(store, code, key, value_ids[0], h[1])
    for i, text in enumerate(h):
        hiring.answer(store, code, exemplar(store, code, key, None if anonymous else f"{text} {i}", teams.SUPPORT), qid, text)
    return code, key


@pytest.mark.parametrize("anonymous", [False, True], ids=["named", "anonymous"])
def test_no_cell_of_any_csv_starts_like_a_formula(store, tmp_path, anonymous):
    code, key = hostile_workshop(store, anonymous=anonymous)
    outputs: dict[str, list[list[str]]] = {}
    for label, k in (("with-key", key), ("without-key", None)):
        export.export_workshop(store, code, tmp_path / label, key=k)
        outputs.update({f"{label}/{name}": cells for name, cells in folder_cells(tmp_path / label).items()})
    outputs["survey download"] = csv_cells(csvfile.survey_csv(store, code, key))
    outputs["benchmark download"] = csv_cells(csvfile.benchmark_csv(store, code, key))

    # Every table that holds free text is there, and the hostile text reached it.
    names = {n.split("/", 1)[-1] for n in outputs}
    assert {"cards.csv", "values.csv", "drafts.csv", "actions.csv", "metrics.csv", "team_practices.csv",
            "stakeholder_reactions.csv", "survey_answers.csv", "benchmark_answers.csv", "events.csv",
            "workshop.csv", "participants.csv"} <= names
    seen = "\n".join(cell for cells in outputs.values() for row in cells for cell in row)
    assert "'=HYPERLINK" in seen and "'@SUM(1)" in seen and "'+1" in seen and "'-1" in seen
    bad = [(name, cell) for name, cells in outputs.items() for row in cells for cell in row
           if cell.startswith(csvfile.FORMULA_START)]
    assert bad == [], f"{len(bad)} cells would run as formulas, e.g. {bad[:3]}"

    # Read back, the text is exactly what people typed (the apostrophe is only for the spreadsheet).
    back = export.load_csv_dir(tmp_path / "with-key")
    assert set(back["cards"].text) >= {t.strip() for t in HOSTILE}
    assert HOSTILE[0] in set(back["drafts"].text) and HOSTILE[3] in set(back["survey_answers"].meaning)


def test_the_one_writer_defuses_every_formula_start_and_round_trips():
    for text in HOSTILE + ["'quoted"]:
        assert csvfile.defuse(text) == "'" + text and csvfile.restore(csvfile.defuse(text)) == text
    assert csvfile.defuse("plain") == "plain" and csvfile.defuse(-1) == -1
    text = csvfile.rows_text([{"a": h, "b": i} for i, h in enumerate(HOSTILE)], ["a", "b"])
    cells = csv_cells(text)
    assert cells[0] == ["a", "b"] and all(not row[0].startswith(csvfile.FORMULA_START) for row in cells[1:])
    assert [row[0] for row in cells[1:]] == ["'" + h for h in HOSTILE]


def test_no_module_writes_csv_but_the_one_writer():
    root = Path(csvfile.__file__).resolve().parents[1]
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "csvfile.py":
            continue
        text = path.read_text(encoding="utf-8")
        if any(s in text for s in ("csv.writer", "csv.DictWriter", ".to_csv(")):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


# ---- secret ballots -----------------------------------------------------------------------

def _voted_workshop(store: Store, *, open_ballots: bool = False, names=("Amira", "Jonas", "Mei")):
    c = workshops.create_workshop(store, "Ballots", open_ballots=open_ballots)
    code, key = c.code, c.key
    tokens = [workshops.join(store, code, n).token for n in names]
    go_to(store, code, key, phases.BRAINSTORM)
    card_ids = [cards.add_card(store, code, tokens[0], f"Idea {i}").id for i in range(4)]
    value_ids = [grouping.create_value(store, code, key, f"Value {i}", card_ids=[cid])
                 for i, cid in enumerate(card_ids)]
    go_to(store, code, key, phases.VOTING)
    voting.open_round(store, code, key, budget=2, cap=None, keep=2)
    vote(store, code, {tokens[0]: {value_ids[0]: 2}, tokens[1]: {value_ids[0]: 1, value_ids[1]: 1},
                       tokens[2]: {value_ids[2]: 1, value_ids[3]: 1}})
    voting.close_round(store, code, key)  # a tie at the cut: a run-off comes next
    voting.open_round(store, code, key)
    rnd = next(r for r in voting.rounds(store, code) if r.status == "open")
    candidates = [c.value_id for c in rnd.candidates]
    vote(store, code, {t: {candidates[0]: 1} for t in tokens})
    voting.close_round(store, code, key)
    go_to(store, code, key, phases.DRAFTING)
    draft = vision.add_draft(store, code, tokens[0], "Answers that help").id
    go_to(store, code, key, phases.RATING)
    for i, t in enumerate(tokens):
        for crit in ("simple", "service", "identity"):
            vision.rate(store, code, t, draft, crit, 1 + i)
    return code, key, tokens


def test_votes_and_ratings_are_secret_ballots_by_default(store, tmp_path):
    names = ("Amira", "Jonas", "Mei")
    code, key, _tokens = _voted_workshop(store, names=names)
    export.export_workshop(store, code, tmp_path / "a", key=key)
    export.export_workshop(store, code, tmp_path / "b", key=key)
    votes, ratings = rows(tmp_path / "a" / "votes.csv"), rows(tmp_path / "a" / "ratings.csv")
    people = rows(tmp_path / "a" / "participants.csv")
    assert [p["participant"] for p in people] == list(names)  # names are in the export ...
    for table in ("votes.csv", "ratings.csv"):
        text = (tmp_path / "a" / table).read_text(encoding="utf-8-sig")
        assert not any(n in text for n in names) and "Participant" not in text  # ... never on a ballot
        assert all(r["participant"] == "" and r["participant_number"] == "" for r in rows(tmp_path / "a" / table))
        # Stable across exports of the same workshop, so an analyst can group one ballot's rows.
        assert rows(tmp_path / "a" / table) and [r["ballot"] for r in rows(tmp_path / "a" / table)] == [
            r["ballot"] for r in rows(tmp_path / "b" / table)]
    # One ballot per person per round, and a person's ballots of two rounds are not the same id.
    by_round: dict[str, set[str]] = {}
    for v in votes:
        by_round.setdefault(v["round_number"], set()).add(v["ballot"])
    assert [len(b) for b in by_round.values()] == [3, 3] and not set.intersection(*by_round.values())
    assert len({r["ballot"] for r in ratings}) == 3
    # Rows are ordered by ballot id, not by who joined first.
    assert [r["ballot"] for r in votes if r["round_number"] == "1"] == sorted(
        r["ballot"] for r in votes if r["round_number"] == "1")
    # The log shows the same ballots, never the voter, for dots and scores.
    logged = [e for e in rows(tmp_path / "a" / "events.csv") if e["kind"] in ("dots_set", "draft_rated")]
    assert logged and all(e["actor"].startswith("ballot ") and e["participant_number"] == "" for e in logged)
    assert {e["actor"][len("ballot "):] for e in logged} <= {r["ballot"] for r in votes + ratings}
    [ws] = rows(tmp_path / "a" / "workshop.csv")
    assert ws["open_ballots"] == "False"


def test_open_ballots_name_the_voters_when_the_facilitator_chose_them(store, tmp_path):
    code, key, _tokens = _voted_workshop(store, open_ballots=True)
    assert ballots.open_ballots(store, code)
    export.export_workshop(store, code, tmp_path / "out", key=key)
    assert {r["participant"] for r in rows(tmp_path / "out" / "votes.csv")} == {"Amira", "Jonas", "Mei"}
    assert {r["participant"] for r in rows(tmp_path / "out" / "ratings.csv")} == {"Amira", "Jonas", "Mei"}
    assert all(len(r["ballot"]) == ballots.ID_LENGTH for r in rows(tmp_path / "out" / "votes.csv"))
    export.export_workshop(store, code, tmp_path / "nokey")
    assert {r["participant"] for r in rows(tmp_path / "nokey" / "votes.csv")} == {
        "Participant 1", "Participant 2", "Participant 3"}


def test_ballots_change_only_before_anyone_votes_and_only_with_the_key(store):
    c = workshops.create_workshop(store, "Ballot choice")
    tokens, value_ids = voting_workshop(store, c.code, c.key, 3, 2)
    with refused(store, NotAuthorized):
        ballots.set_open_ballots(store, c.code, "wrong-key", True)
    assert ballots.set_open_ballots(store, c.code, c.key, True) and ballots.ballot_state(store, c.code) == (True, True)
    assert not ballots.set_open_ballots(store, c.code, c.key, False)
    voting.open_round(store, c.code, c.key, budget=1, cap=None, keep=1)
    voting.set_dots(store, c.code, tokens[0], value_ids[0], 1)
    assert ballots.ballot_state(store, c.code) == (False, False)
    with refused(store, WrongPhase, match="before anyone has voted"):
        ballots.set_open_ballots(store, c.code, c.key, True)
    assert [e.payload for e in events(store, "ballots_set") if e.workshop_id] == [{"open": True}, {"open": False}]


def test_first_exports_at_once_agree_on_the_ballot_ids(store):
    code, key, _tokens = _voted_workshop(store)
    with ThreadPoolExecutor(4) as pool:
        frames = list(pool.map(lambda _: export.frames(store, code, key=key)["votes"].ballot.tolist(), range(4)))
    assert frames[0] and all(f == frames[0] for f in frames)


def test_the_export_draws_the_ballot_secret_without_moving_the_revision(store):
    code, key, _tokens = _voted_workshop(store)
    before = store.revision(code)
    export.frames(store, code, key=key)
    assert store.revision(code) == before


def test_cli_new_takes_open_ballots(store, db_url, capsys):
    import json

    from workshop import cli
    parser = cli.build_parser()
    for flags, expected in ((["--open-ballots"], True), ([], False)):
        args = parser.parse_args(["--db", db_url, "new", "Room", *flags, "--json"])
        assert args.func(args) == 0
        code = json.loads(capsys.readouterr().out)["code"]
        assert ballots.open_ballots(store, code) is expected


# ---- anonymous workshops ----------------------------------------------------------------------

def test_an_anonymous_export_links_nobody_with_or_without_the_key(store, tmp_path):
    c = workshops.create_workshop(store, "Anonymous", anonymous=True)
    code, key = c.code, c.key
    tokens = join_many(store, code, 3)
    go_to(store, code, key, phases.BRAINSTORM)
    for i, t in enumerate(tokens):
        for j in range(2):
            cards.add_card(store, code, t, f"Card {i}.{j}")
    gone = cards.add_card(store, code, tokens[0], "I regret writing this")
    cards.withdraw_card(store, code, tokens[0], gone.id)
    for label, k in (("key", key), ("nokey", None)):
        out = tmp_path / label
        export.export_workshop(store, code, out, key=k)
        everything = "\n".join(p.read_text(encoding="utf-8-sig") for p in out.glob("*.csv"))
        assert "Participant " not in everything and "I regret writing this" not in everything
        card_rows = rows(out / "cards.csv")
        assert {r["participant"] for r in card_rows} == {"anonymous"}
        assert {r["participant_number"] for r in card_rows} == {""}
        people = rows(out / "participants.csv")
        assert len(people) == 3 and all(p["participant_number"] == p["joined_at"] == p["last_seen_at"] == ""
                                        for p in people)
        log = rows(out / "events.csv")
        assert all(e["participant_number"] == "" for e in log)
        assert all(e["at"] == "" for e in log if e["kind"] == "participant_joined")
        assert all('"number"' not in e["payload"] for e in log if e["kind"] == "participant_joined")


# ---- small groups --------------------------------------------------------------------------

@pytest.fixture
def finished(store):
    from tests.followup_helpers import finished_workshop
    return finished_workshop(store)


def test_small_survey_teams_are_merged_in_every_view_and_export(store, finished, tmp_path):
    code, key = finished.code, finished.key
    honesty = finished.value_ids[0]
    for i in range(5):
        survey.answer(store, code, employee(store, code, key, f"Support {i}", teams.SUPPORT), honesty, 5, f"S{i}")
    for i, team in enumerate([teams.SALES, teams.SALES, teams.HR, teams.HR, teams.DESIGN]):
        survey.answer(store, code, employee(store, code, key, f"Small {i}", team), honesty, 2, f"M{i}")
    results = survey.results(store, code, key)
    assert results.teams == {teams.SUPPORT: 5, survey.MERGED: 5}
    assert results.merged == (teams.SALES, teams.DESIGN, teams.HR) and results.hidden == 0
    [v] = [v for v in results.values if v.value_id == honesty]
    assert set(v.by_team) == {teams.SUPPORT, survey.MERGED}
    assert {m.team for m in v.meanings} == {teams.SUPPORT, survey.MERGED}
    download = list(csv.DictReader(io.StringIO(csvfile.survey_csv(store, code, key))))
    assert {r["team"] for r in download} == {"support", "other teams"}

    export.export_workshop(store, code, tmp_path / "out", key=key)
    assert {r["team"] for r in rows(tmp_path / "out" / "survey_answers.csv")} == {"support", "other teams"}
    employees = [p for p in rows(tmp_path / "out" / "participants.csv") if p["role"] == "employee"]
    assert {p["team"] for p in employees} == {"support", "other teams"}
    logged = "\n".join(e["payload"] for e in rows(tmp_path / "out" / "events.csv"))
    assert '"sales"' not in logged and '"hr"' not in logged
    [ws] = rows(tmp_path / "out" / "workshop.csv")
    assert "other teams" in ws["privacy_notes"] and "sales" in ws["privacy_notes"]


def test_a_merged_group_still_too_small_is_hidden(store, finished):
    code, key = finished.code, finished.key
    honesty = finished.value_ids[0]
    for i in range(5):
        survey.answer(store, code, employee(store, code, key, f"Support {i}", teams.SUPPORT), honesty, 4)
    survey.answer(store, code, employee(store, code, key, "Lone", teams.HR), honesty, 1, "Only I say this")
    results = survey.results(store, code, key)
    assert results.teams == {teams.SUPPORT: 5} and results.hidden == 1
    [v] = [v for v in results.values if v.value_id == honesty]
    assert list(v.by_team) == [teams.SUPPORT] and v.clarity.count == 6
    assert [m.team for m in v.meanings if m.meaning == "Only I say this"] == [""]
    assert "hr" not in csvfile.survey_csv(store, code, key)


def test_few_gut_check_reactions_are_hidden_in_view_and_export(store, finished, tmp_path):
    code, key = finished.code, finished.key
    for i in range(stakeholders.MIN_SEGMENT - 1):
        stakeholders.react(store, code, stakeholder(store, code, key, f"Board {i}"), stakeholders.NO, f"No {i}")
    tally = stakeholders.tally(store, code, key)
    assert tally.hidden and tally.total == 4 and set(tally.counts.values()) == {0}
    assert {c.reaction for c in tally.comments} == {""}
    export.export_workshop(store, code, tmp_path / "few", key=key)
    assert {r["reaction"] for r in rows(tmp_path / "few" / "stakeholder_reactions.csv")} == {""}
    [ws] = rows(tmp_path / "few" / "workshop.csv")
    assert "stakeholder_reactions" in ws["privacy_notes"]

    stakeholders.react(store, code, stakeholder(store, code, key, "Board 5"), stakeholders.LANDS)
    tally = stakeholders.tally(store, code, key)
    assert not tally.hidden and tally.counts == {"lands": 1, "unsure": 0, "no": 4}
    export.export_workshop(store, code, tmp_path / "five", key=key)
    assert sorted(r["reaction"] for r in rows(tmp_path / "five" / "stakeholder_reactions.csv")) == [
        "lands", "no", "no", "no", "no"]
    [ws] = rows(tmp_path / "five" / "workshop.csv")
    assert ws["privacy_notes"] == ""


# ---- the panels say so ---------------------------------------------------------------------------

def _panel(store, code, key, stage):
    from workshop.widgets.facilitator.app import FacilitatorApp
    return FacilitatorApp(store, code, key, stage, start_live=False).panel


def test_panels_say_which_ballot_and_where_groups_were_merged(store, finished):
    code, key = finished.code, finished.key
    for i in range(5):
        survey.answer(store, code, employee(store, code, key, f"Support {i}", teams.SUPPORT), finished.value_ids[0], 5)
    survey.answer(store, code, employee(store, code, key, "Lone", teams.HR), finished.value_ids[0], 1)
    p = _panel(store, code, key, "survey")
    assert "fewer than 5 answers" in p.summary.value and "HR" in p.summary.value
    assert [v for _label, v in p.meaning_team.options] == ["", teams.SUPPORT]
    for i in range(2):
        stakeholders.react(store, code, stakeholder(store, code, key, f"B{i}"), stakeholders.LANDS, "ok")
    g = _panel(store, code, key, "gutcheck")
    assert "ws-tally-hidden" in g.tally.value and "ws-tally-lands" not in g.tally.value
    assert "It lands" not in g.comments.value

    c = workshops.create_workshop(store, "Script")
    voting_workshop(store, c.code, c.key, 3, 2)
    v = _panel(store, c.code, c.key, "voting")
    assert "ws-ballot-secret" in v.script.value and "not even me" in v.script.value
    s = _panel(store, c.code, c.key, "setup")
    assert not s.open_ballots.value and not s.open_ballots.disabled
    s.open_ballots.value = True  # the facilitator ticks the box
    assert ballots.open_ballots(store, c.code)
    v = _panel(store, c.code, c.key, "voting")
    assert "ws-ballot-open" in v.script.value and "who placed which dots" in v.script.value
