"""The analysts' views: funnel, rounds, rating heat map and survey clarity, over one or several workshops."""

from __future__ import annotations

import pytest

from workshop.demo import followup as demo_followup
from workshop.demo import seed as demo
from workshop.domain.followup import teams
from workshop.outputs import analysis, export
from workshop.store import Store


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The demo in the database, and a second demo with the follow-up exported to a folder."""
    folder = tmp_path_factory.mktemp("analysis")
    store = Store(f"sqlite:///{folder / 'workshop.sqlite'}")
    plain, _ = demo.seed(store, "published")
    code, key = demo.seed(store, "published")
    demo_followup.seed_followup(store, code, key)
    export.export_workshop(store, code, folder / "export")
    yield store, plain, code, folder / "export"
    store.engine.dispose()


def test_funnel_counts_cards_values_and_the_kept_five(world):
    store, plain, _code, _folder = world
    f = analysis.funnel(analysis.load(store, [plain]))
    d = demo.load()
    assert f.to_dict("records") == [{"cards": len(d["cards"]), "values": len(d["values"]), "kept": 5}]


def test_workshops_from_the_database_and_from_csv_folders_stack_together(world):
    store, plain, code, folder = world
    t = analysis.load(store, [plain], csv_dirs=[folder])
    assert set(t["workshop"].workshop_code) == {plain, code}
    assert t["cards"].groupby("workshop_code").size().to_dict() == {plain: 14, code: 14}
    labels = list(analysis.funnel(t).index)
    assert len(set(labels)) == 2 and all(c in " ".join(labels) for c in (plain, code))
    assert analysis.rating_means(t).shape == (6, 3)


def test_rounds_list_each_value_with_its_outcome(world):
    store, plain, _code, _folder = world
    r = analysis.rounds(analysis.load(store, [plain]))
    first = r[r.round_number == 1]
    assert first.dots.sum() == 12 and set(first.outcome) == {"kept", "runoff", "dropped"}
    runoff = r[r.is_runoff]
    assert set(runoff.value_name) == set(first[first.outcome == "runoff"].value_name)


def test_rating_heat_map_stars_the_chosen_draft(world):
    store, plain, _code, _folder = world
    m = analysis.rating_means(analysis.load(store, [plain]))
    assert list(m.columns) == ["Simple", "Service", "Identity"]
    starred = [label for label in m.index if "★" in label]
    assert len(starred) == 1 and "count on us" in starred[0]
    assert m.loc[starred[0]].min() >= 4  # the demo room liked the draft it chose


def test_survey_clarity_shows_the_value_teams_read_differently(world):
    _store, _plain, _code, folder = world
    t = analysis.load(csv_dirs=[folder])
    c = analysis.clarity_by_team(t)
    assert list(c.columns)[:2] == [teams.SUPPORT, teams.SALES] and c.columns[-1] == "all teams"
    assert c.loc["Autonomy", teams.SALES] < 2.5 < 4 < c.loc["Autonomy", teams.SUPPORT]
    spread = analysis.clarity_spread(t)
    assert spread.index[0] == "Autonomy" and spread.loc["Autonomy", "team_gap"] > 2


def test_no_survey_means_no_clarity_chart(world):
    store, plain, _code, _folder = world
    t = analysis.load(store, [plain])
    assert analysis.clarity_by_team(t) is None and analysis.plot_clarity(t) is None


def test_every_chart_draws(world, tmp_path):
    store, plain, _code, folder = world
    t = analysis.load(store, [plain], csv_dirs=[folder])
    for name, fig in {"funnel": analysis.plot_funnel(t), "rounds": analysis.plot_rounds(t),
                      "ratings": analysis.plot_rating_heatmap(t), "clarity": analysis.plot_clarity(t)}.items():
        path = tmp_path / f"{name}.png"
        fig.savefig(path)
        assert path.stat().st_size > 5000, name


def test_loading_nothing_is_refused():
    with pytest.raises(ValueError):
        analysis.load()
