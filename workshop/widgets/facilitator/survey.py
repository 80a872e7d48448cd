"""The employee survey: its link, clarity per value and per team, the values read in different ways."""

from __future__ import annotations

import time

import ipywidgets as w

from workshop.domain.followup import survey
from workshop.outputs import csvfile
from workshop.widgets.facilitator.base import Panel, button, hint, private, section, set_html
from workshop.widgets.facilitator.followup import CSS, file_link, link_box
from workshop.widgets.kit import Feedback, esc, run_action, stylesheet

#: While a hundred people answer, recompute the results at most this often (seconds).
REFRESH_EVERY = 2.0


def _clarity_color(mean: float | None) -> str:
    if mean is None:
        return "#ffffff"
    # 1 (red) .. 3 (amber) .. 5 (green), light enough for black text.
    palette = {1: "#fda29b", 2: "#fec84b", 3: "#fef0c7", 4: "#d1fadf", 5: "#a6f4c5"}
    return palette[min(5, max(1, round(mean)))]


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}"


def distribution_html(distribution: dict[int, int]) -> str:
    """Five small columns, one per score: the shape of the answers at a glance."""
    top = max([*distribution.values(), 1])
    bars = "".join(f'<span class="ws-dist-col" title="{s}: {n}"><span class="ws-dist-bar" '
                   f'style="height:{max(2, round(28 * n / top)) if n else 0}px"></span>{s}</span>'
                   for s, n in distribution.items())
    return f'<span class="ws-dist">{bars}</span>'


def values_html(results: survey.Results, t) -> str:
    head = (f"<tr><th>{esc(t('Value'))}</th><th class='num'>{esc(t('Answers'))}</th>"
            f"<th class='num'>{esc(t('Clarity'))}</th><th class='num'>{esc(t('Spread'))}</th>"
            f"<th>{esc(t('1 to 5'))}</th><td></td></tr>")  # a header cell is never empty (axe)
    rows = []
    for v in results.values:
        dist = distribution_html(v.distribution)
        flag = ("<span class='ws-flag'>⚠ " + esc(" ".join(t(survey.REASONS[r]) for r in v.reasons)) + "</span>"
                if v.reasons else "")
        rows.append(f"<tr class='ws-survey-row{' ws-divergent' if v.reasons else ''}'><td><b>{esc(v.name)}</b></td>"
                    f"<td class='num'>{v.clarity.count}</td>"
                    f"<td class='num' style='background:{_clarity_color(v.clarity.mean)}'>{_num(v.clarity.mean)}</td>"
                    f"<td class='num'>{_num(v.clarity.spread)}</td><td>{dist}</td>"
                    f"<td>{flag}</td></tr>")
    return f'<table class="ws-grid ws-survey-values">{head}{"".join(rows)}</table>'


def teams_html(results: survey.Results, t) -> str:
    names = list(results.teams)
    if not names:
        return ""
    head = "<tr><td></td>" + "".join(
        f"<th class='num'>{esc(t(survey.team_title(n)))}<br><span class='ws-muted'>{results.teams[n]}</span></th>"
        for n in names) + "</tr>"
    rows = []
    for v in results.values:
        cells = []
        for n in names:
            s = v.by_team.get(n)
            mean = s.mean if s else None
            cells.append(f"<td class='num' style='background:{_clarity_color(mean)}'>{_num(mean)}</td>")
        rows.append(f"<tr><td><b>{esc(v.name)}</b></td>{''.join(cells)}</tr>")
    return f'<table class="ws-grid ws-survey-teams">{head}{"".join(rows)}</table>'


def meanings_html(results: survey.Results, value_id, team: str, t) -> str:
    v = next((v for v in results.values if v.value_id == value_id), None)
    if v is None:
        return ""
    items = [m for m in v.meanings if not team or m.team == team]
    if not items:
        return f'<p class="ws-muted">{esc(t("No answers yet."))}</p>'
    def team(m) -> str:
        return t(survey.team_title(m.team)) if m.team else t("team hidden")

    return "".join(f'<div class="ws-comment-item"><span class="ws-muted">{esc(team(m))}'
                   f' · {esc(t("clarity"))} {m.clarity}</span><br>{esc(m.meaning)}</div>' for m in items)


def privacy_note(results: survey.Results, t) -> str:
    """Says where small teams were merged or hidden; "" when every team is large enough."""
    if not results.merged:
        return ""
    names = ", ".join(t(survey.team_title(n)) for n in results.merged)
    if results.hidden:
        return t("Teams with fewer than {n} answers are not shown on their own, and together they are still "
                 "fewer, so their team is hidden here and in the CSV: {teams}.").format(
            n=survey.MIN_SEGMENT, teams=names)
    return t("Teams with fewer than {n} answers are shown together as “Other teams”, here and in the CSV: "
             "{teams}.").format(n=survey.MIN_SEGMENT, teams=names)


class SurveyPanel(Panel):
    def __init__(self, console, status):
        super().__init__(console, status)
        t = self.t
        self.summary = w.HTML()
        self.values = w.HTML()
        self.teams = w.HTML()
        self.meaning_value = w.Dropdown(options=[], description=t("Value"))
        self.meaning_team = w.Dropdown(options=[(t("All teams"), "")], value="", description=t("Team"))
        self.meaning_value.observe(lambda _: self._paint(), "value")
        self.meaning_team.observe(lambda _: self._paint(), "value")
        self.meanings = w.HTML()
        self.meanings.add_class("ws-survey-meanings")
        self.prepare = button(t("Prepare the survey CSV"), self._csv, "", "download")
        self.download = w.HTML()
        self.csv_feedback = Feedback()
        self.results: survey.Results | None = None
        self._dirty = True
        self._computed_at = 0.0
        self.children = [
            stylesheet(CSS),
            section(t("What our values mean to the teams")),
            hint(t("Share this link with the whole company. Each employee picks their team and says, for each "
                   "value, what it means in their daily work and how clear it is. Names are never shown.")),
            private(link_box(t, console, "employee", t("Link for the employee survey"))),
            self.summary,
            section(t("Clarity per value")), self.values,
            section(t("Clarity per team")), self.teams,
            section(t("What people wrote")), w.HBox([self.meaning_value, self.meaning_team],
                                                   layout=w.Layout(flex_flow="row wrap")), self.meanings,
            private(w.HBox([self.prepare, self.download], layout=w.Layout(align_items="center"))), self.csv_feedback,
            self.feedback,
        ]
        self.refresh(status)
        self._compute()

    def refresh(self, status) -> None:
        super().refresh(status)
        # Every answer moves the workshop's revision; recompute on the next tick, at most every few seconds.
        self._dirty = True
        if time.monotonic() - self._computed_at >= REFRESH_EVERY:
            self._compute()

    def tick(self) -> None:
        if self._dirty and time.monotonic() - self._computed_at >= REFRESH_EVERY:
            self._compute()

    def _compute(self) -> None:
        c, t = self.console, self.t
        self._dirty = False
        self._computed_at = time.monotonic()
        self.results = results = survey.results(c.store, c.code, c.key)
        joined = survey.respondents(c.store, c.code, c.key)
        flagged = [v.name for v in results.divergent]
        text = t.ngettext("{answered} of {joined} employee who joined has answered.",
                          "{answered} of {joined} employees who joined have answered.", joined).format(
            answered=results.respondents, joined=joined)
        if flagged:
            text += " " + t("Read in very different ways: {values}.").format(values=", ".join(flagged))
        small = privacy_note(results, t)
        set_html(self.summary, f"<p><b>{esc(text)}</b></p>"
                 + (f'<p class="ws-muted ws-survey-merged">{esc(small)}</p>' if small else ""))
        team_options = [(t("All teams"), "")] + [(t(survey.team_title(n)), n) for n in results.teams]
        if list(self.meaning_team.options) != team_options:
            chosen = self.meaning_team.value
            self.meaning_team.options = team_options
            self.meaning_team.value = chosen if chosen in results.teams else ""
        set_html(self.values, values_html(results, t))
        set_html(self.teams, teams_html(results, t) or f'<p class="ws-muted">{esc(t("No answers yet."))}</p>')
        options = [(v.name, v.value_id) for v in results.values]
        if list(self.meaning_value.options) != options:
            self.meaning_value.options = options
        if self.meaning_value.value is None and options:
            self.meaning_value.value = options[0][1]  # a new list of options selects nothing by itself
        self._paint()

    def _paint(self) -> None:
        if self.results is not None:
            set_html(self.meanings, meanings_html(self.results, self.meaning_value.value, self.meaning_team.value,
                                                  self.t))

    def _csv(self) -> None:
        c, t = self.console, self.t
        data = run_action(self.csv_feedback, t, csvfile.survey_csv, c.store, c.code, c.key)
        if data is not None:
            set_html(self.download, file_link(data, f"survey-{c.code}.csv", t("Download the survey CSV"), "text/csv"))
