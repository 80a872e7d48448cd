"""What analysts look at after workshops: the funnel, the vote rounds, the rating heat map, survey clarity.

Works on the tables of ``workshop.export`` (``frames`` from the database or
``load_csv_dir`` from exported folders), stacked over one or several workshops.
Figures are matplotlib ``Figure`` objects, shown once in a notebook and saved
with ``fig.savefig``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from workshop.core import criteria
from workshop.outputs import datadict, export

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from workshop.store import Store

Tables = dict[str, "pd.DataFrame"]

FUNNEL_STAGES = {"cards": "Cards written", "values": "Values formed", "kept": "Values kept"}
CRITERIA_SHORT = {criteria.SIMPLE: "Simple", criteria.SERVICE: "Service", criteria.IDENTITY: "Identity"}
OUTCOME_COLOURS = {"kept": "#2e7d32", "runoff": "#f9a825", "dropped": "#9e9e9e", "": "#90caf9"}


# ---- loading --------------------------------------------------------------------------

def combine(many: Iterable[Tables]) -> Tables:
    """Stack the tables of several workshops (each row keeps its ``workshop_code``)."""
    import pandas as pd

    many = list(many)
    out = {}
    for name in datadict.TABLES:
        parts = [t[name] for t in many if name in t]
        if parts:
            out[name] = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return out


def load(store: "Store | None" = None, codes: Iterable[str] = (), csv_dirs: Iterable[str | Path] = (),
         key: str | None = None) -> Tables:
    """The tables of the workshops ``codes`` in ``store`` and of the export folders ``csv_dirs``.

    ``key`` (one facilitator key) is only needed for names; analysis never needs them."""
    parts = [export.frames(store, code, key=key) for code in codes]
    parts += [export.load_csv_dir(d) for d in csv_dirs]
    if not parts:
        raise ValueError("Name at least one workshop code or export folder.")
    return combine(parts)


def load_demo() -> Tables:
    """The demo workshop, played to the end in a database of its own: the live database is never touched."""
    from workshop.demo import seed as demo
    from workshop.store import Store

    store = Store("sqlite://")  # in memory, gone with this kernel
    code, _key = demo.seed(store, "published")
    return load(store, [code])


def workshops(t: Tables) -> "pd.DataFrame":
    """One line per workshop: code, title, stage, how many took part."""
    return t["workshop"][["workshop_code", "title", "phase", "participants", "cards", "chosen_values"]]


def _labels(t: Tables) -> dict[str, str]:
    """Workshop code -> what to call it in tables and charts."""
    w = t["workshop"]
    if len(w) == 1:
        return {w.workshop_code.iloc[0]: w.title.iloc[0] or w.workshop_code.iloc[0]}
    return {code: f"{title} [{code}]" for code, title in zip(w.workshop_code, w.title)}


# ---- tables ---------------------------------------------------------------------------

def funnel(t: Tables) -> "pd.DataFrame":
    """Per workshop: cards written, values formed from them, values kept by the vote."""
    import pandas as pd

    codes = list(t["workshop"].workshop_code)
    cards = t["cards"][~t["cards"].withdrawn].groupby("workshop_code").size()
    values = t["values"][t["values"].status == "active"].groupby("workshop_code").size()
    kept = t["values"][t["values"].chosen].groupby("workshop_code").size()
    frame = pd.DataFrame({
        "cards": cards.reindex(codes, fill_value=0),
        "values": values.reindex(codes, fill_value=0),
        "kept": kept.reindex(codes, fill_value=0),
    }).astype(int)
    frame.index = pd.Index([_labels(t)[c] for c in codes], name="workshop")
    return frame


def rounds(t: Tables) -> "pd.DataFrame":
    """Each vote round's results: dots and outcome per value, in ballot order of rank."""
    r = t["round_results"].merge(
        t["vote_rounds"][["workshop_code", "round_number", "budget", "voters"]],
        on=["workshop_code", "round_number"], how="left")
    r = r.sort_values(["workshop_code", "round_number", "rank", "value_name"], na_position="last")
    r.insert(0, "workshop", r.workshop_code.map(_labels(t)))
    return r[["workshop_code", "workshop", "round_number", "is_runoff", "value_name", "dots", "rank", "outcome", "budget",
              "voters"]].reset_index(drop=True)


def _draft_label(row, many: bool) -> str:
    text = textwrap.shorten(row.text, width=48, placeholder="…")
    star = " ★" if row.final else ""
    prefix = f"{row.workshop_code} " if many else ""
    return f"{prefix}#{row.draft_id}{star} {text}"


def rating_means(t: Tables) -> "pd.DataFrame":
    """Mean rating per draft (rows) and criterion (columns); the final draft is starred."""
    s = t["rating_summary"].merge(t["drafts"][["workshop_code", "draft_id", "text"]],
                                  on=["workshop_code", "draft_id"])
    if s.empty:
        import pandas as pd

        return pd.DataFrame(columns=list(CRITERIA_SHORT.values()), dtype="Float64")
    many = s.workshop_code.nunique() > 1
    s["draft"] = [_draft_label(row, many) for row in s.itertuples()]
    order = list(dict.fromkeys(s.sort_values(["workshop_code", "draft_id"]).draft))
    table = s.pivot(index="draft", columns="criterion", values="mean").reindex(order)
    table = table[[c for c in criteria.ORDER if c in table.columns]].rename(columns=CRITERIA_SHORT)
    table.columns.name = None
    return table


def clarity_by_team(t: Tables) -> "pd.DataFrame | None":
    """Mean clarity (1-5) per value (rows) and team (columns); None when nobody answered the survey."""
    s = t.get("survey_answers")
    if s is None or s.empty:
        return None
    from workshop.domain.followup import teams

    table = s.pivot_table(index="value_name", columns="team", values="clarity", aggfunc="mean")
    # The method's order of teams; teams typed in by hand after them.
    order = [tm for tm in teams.TEAMS if tm in table.columns] + sorted(set(table.columns) - set(teams.TEAMS))
    table = table[order]
    table["all teams"] = s.groupby("value_name").clarity.mean()
    table.columns.name = None
    return table.astype(float).round(2)


def clarity_spread(t: Tables) -> "pd.DataFrame | None":
    """Per value: answers, mean and spread of clarity, and the gap between the clearest and least clear team."""
    s = t.get("survey_answers")
    if s is None or s.empty:
        return None
    by_team = s.groupby(["value_name", "team"]).clarity.mean().unstack()
    out = s.groupby("value_name").clarity.agg(answers="count", mean="mean", spread="std")
    out["team_gap"] = by_team.max(axis=1) - by_team.min(axis=1)
    out = out.astype(float).round(2)
    out["answers"] = out["answers"].astype(int)
    return out.sort_values("spread", ascending=False)


# ---- figures --------------------------------------------------------------------------

def _figure(width: float, height: float) -> "Figure":
    # A bare Figure, not pyplot: shown once in a notebook, never left open.
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def plot_funnel(t: Tables) -> "Figure":
    f = funnel(t)
    fig = _figure(7, 1.2 + 1.3 * len(f))
    axes = fig.subplots(len(f), 1, squeeze=False)[:, 0]
    for ax, (label, row) in zip(axes, f.iterrows()):
        stages = list(FUNNEL_STAGES.values())
        counts = [int(row[c]) for c in FUNNEL_STAGES]
        bars = ax.barh(stages[::-1], counts[::-1], color=["#2e7d32", "#1976d2", "#90caf9"])
        ax.bar_label(bars, padding=3)
        ax.set_title(textwrap.shorten(label, 70), loc="left", fontsize=10)
        ax.set_xlim(0, max(counts + [1]) * 1.15)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle("From cards to values to the ones kept", x=0.02, ha="left")
    return fig


def plot_rounds(t: Tables, code: str | None = None) -> "Figure":
    """Dots per value in each round of one workshop (the first one unless ``code`` is given)."""
    code = code or t["workshop"].workshop_code.iloc[0]
    r = rounds(t)
    r = r[r.workshop_code == code]
    numbers = sorted(r.round_number.unique())
    fig = _figure(7, 1.0 + 0.45 * max([len(r[r.round_number == n]) for n in numbers] + [2]))
    axes = fig.subplots(1, max(1, len(numbers)), squeeze=False)[0]
    most = max([len(r[r.round_number == n]) for n in numbers] + [1])
    for ax, n in zip(axes, numbers):
        rr = r[r.round_number == n].iloc[::-1]
        dots = rr.dots.fillna(0).astype(int)
        bars = ax.barh(rr.value_name, dots, color=[OUTCOME_COLOURS.get(o, "#90caf9") for o in rr.outcome])
        ax.bar_label(bars, padding=2)
        kind = "run-off" if rr.is_runoff.any() else "round"
        ax.set_title(f"{kind} {n} (budget {rr.budget.iloc[0]})", fontsize=10)
        ax.set_xlim(0, max(list(dots) + [1]) * 1.25)
        ax.set_ylim(len(rr) - most - 0.5, len(rr) - 0.5)  # same bar thickness in every round
        ax.spines[["top", "right"]].set_visible(False)
    from matplotlib.patches import Patch

    fig.legend(handles=[Patch(color=c, label=o) for o, c in OUTCOME_COLOURS.items() if o],
               loc="outside lower center", ncols=3, frameon=False)
    fig.suptitle("Dot votes by round", x=0.02, ha="left")
    return fig


def _heatmap(fig: "Figure", table: "pd.DataFrame", *, low: float, high: float, cmap: str, label: str):
    ax = fig.subplots()
    values = table.to_numpy(dtype=float, na_value=float("nan"))
    im = ax.imshow(values, cmap=cmap, vmin=low, vmax=high, aspect="auto")
    ax.set_xticks(range(len(table.columns)), table.columns)
    ax.set_yticks(range(len(table.index)), table.index)
    ax.xaxis.tick_top()
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            if v == v:  # not NaN
                r, g, b, _a = im.cmap(im.norm(v))
                light = 0.299 * r + 0.587 * g + 0.114 * b > 0.5  # readable on either end of the scale
                ax.text(j, i, f"{v:.1f}", ha="center", va="center", color="black" if light else "white")
    fig.colorbar(im, ax=ax, label=label, shrink=0.8)
    return ax


def plot_rating_heatmap(t: Tables) -> "Figure":
    """Mean score per draft and criterion, 1 (poor) to 5 (strong)."""
    table = rating_means(t)
    fig = _figure(8, 1.4 + 0.55 * max(len(table), 1))
    _heatmap(fig, table, low=criteria.LOWEST, high=criteria.HIGHEST, cmap="YlGn", label="mean score (1-5)")
    fig.suptitle("Vision drafts: mean rating per criterion (★ = chosen)", x=0.02, ha="left")
    return fig


def plot_clarity(t: Tables) -> "Figure | None":
    """Mean clarity per value and team; None when there are no survey answers."""
    table = clarity_by_team(t)
    if table is None:
        return None
    answers = t["survey_answers"]
    if answers.participant_number.notna().any():
        people = answers.groupby("team").participant_number.nunique()
        people["all teams"] = answers.participant_number.nunique()
    else:  # an anonymous workshop: no numbers, so the most answers to one value
        people = answers.groupby(["team", "value_id"]).size().groupby("team").max()
        people["all teams"] = answers.groupby("value_id").size().max()
    table.columns = [f"{team}\n(n={people.get(team, 0)})" for team in table.columns]
    fig = _figure(1.8 + 0.9 * len(table.columns), 1.4 + 0.5 * len(table))
    _heatmap(fig, table, low=1, high=5, cmap="RdYlGn", label="mean clarity (1-5)")
    fig.suptitle("How clear each value is, by team", x=0.02, ha="left")
    return fig
