"""The one registry of the workshop's stages: every page, panel, label and view is looked up here.

A *phase* is where the whole room stands (``phases.py``: stored in the database,
seen on every phone). A *stage* is a page the facilitator works from; it runs
zero, one or two phases (the vision stage runs drafting and rating) and, after
the call, may invite other people to a page of their own (the stakeholders'
gut check, the benchmark, the survey). Adding a stage means one entry here
plus its panel, its notebook and, if it has one, its visitors' app.

Panels and views are named by import path, so this layer imports no widget
and a page loads only the panel it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from workshop.core import phases
from workshop.core.errors import N_


@dataclass(frozen=True)
class Stage:
    name: str
    #: The stage notebook in ``notebooks/`` (its number is the run-of-show order).
    notebook: str
    #: How the facilitator's navigation names it (translated when shown).
    label: str
    #: "module:Class" of the facilitator panel.
    panel: str
    #: The phases the room is in while the facilitator runs this stage.
    runs: tuple[str, ...] = ()
    #: The phase ``workshop demo --stage NAME`` plays the demo workshop forward to.
    demo_phase: str = phases.SETUP
    #: After the call: the page this stage invites other people to, and its app ("module:Class").
    visitor_notebook: str | None = None
    visitor_app: str | None = None
    #: Where the console's stage bar puts it: "before" the call, in "call", "after" it ("" for the console).
    part: str = "after"
    #: The timer this stage's shell offers first: minutes and what the time is for (translated when shown).
    timer_minutes: int = 5
    timer_label: str = ""
    #: Phases of this stage whose timer differs from the stage's: (phase, minutes, label).
    phase_timers: tuple[tuple[str, int, str], ...] = ()

    def timer(self, phase: str | None = None) -> tuple[int, str]:
        """The timer this stage offers first while the room is in ``phase``: (minutes, untranslated label)."""
        for p, minutes, label in self.phase_timers:
            if p == phase:
                return minutes, label
        return self.timer_minutes, self.timer_label


_F = "workshop.widgets.facilitator"
_P = "workshop.widgets.participant"

#: The stage of the console (``notebooks/00-facilitator.ipynb``), the facilitator's page for the whole call.
CONSOLE = "console"

STAGES: tuple[Stage, ...] = (
    # The console: one page for the whole call; it shows the live stage's panel and script.
    Stage(CONSOLE, "00-facilitator.ipynb", N_("Console"), f"{_F}.console:ConsoleDeck",
          demo_phase=phases.BRAINSTORM, part=""),
    Stage("setup", "01-setup.ipynb", N_("Setup"), f"{_F}.setup:SetupPanel",
          part="before", timer_minutes=5, timer_label=N_("Grounding")),
    # People have joined by the time the invite page is shown in a demo, so its list is not empty.
    Stage("invite", "02-invite.ipynb", N_("Invite"), f"{_F}.invite:InvitePanel",
          runs=(phases.SETUP,), demo_phase=phases.BRAINSTORM,
          part="call", timer_minutes=3, timer_label=N_("Joining")),
    Stage("brainstorm", "03-brainstorm.ipynb", N_("Brainstorm"), f"{_F}.brainstorm:BrainstormPanel",
          runs=(phases.BRAINSTORM,), demo_phase=phases.BRAINSTORM,
          part="call", timer_minutes=10, timer_label=N_("Writing")),
    Stage("values", "04-values.ipynb", N_("Values"), f"{_F}.values:ValuesPanel",
          runs=(phases.GROUPING,), demo_phase=phases.GROUPING,
          part="call", timer_minutes=10, timer_label=N_("Grouping")),
    Stage("voting", "05-voting.ipynb", N_("Voting"), f"{_F}.voting:VotingPanel",
          runs=(phases.VOTING,), demo_phase=phases.VOTING,
          part="call", timer_minutes=3, timer_label=N_("Voting")),
    Stage("vision", "06-vision.ipynb", N_("Vision"), f"{_F}.vision:VisionPanel",
          runs=(phases.DRAFTING, phases.RATING), demo_phase=phases.RATING,
          part="call", timer_minutes=5, timer_label=N_("Drafting"),
          phase_timers=((phases.RATING, 5, N_("Rating")),)),
    Stage("actions", "07-actions.ipynb", N_("Actions"), f"{_F}.actions:ActionsPanel",
          runs=(phases.ACTIONS,), demo_phase=phases.ACTIONS,
          part="call", timer_minutes=10, timer_label=N_("Action statements")),
    Stage("publish", "08-publish.ipynb", N_("Publish"), f"{_F}.publish:PublishPanel",
          runs=(phases.PUBLISHED,), demo_phase=phases.PUBLISHED,
          timer_minutes=3, timer_label=N_("Closing")),
    Stage("gutcheck", "09-gut-check.ipynb", N_("Gut check"), f"{_F}.gutcheck:GutCheckPanel",
          demo_phase=phases.PUBLISHED,
          visitor_notebook="stakeholder.ipynb", visitor_app=f"{_P}.gutcheck:StakeholderApp"),
    Stage("teams", "10-teams.ipynb", N_("Teams"), f"{_F}.teams:TeamsPanel", demo_phase=phases.PUBLISHED),
    Stage("hiring", "11-hiring.ipynb", N_("Hiring"), f"{_F}.hiring:HiringPanel", demo_phase=phases.PUBLISHED,
          visitor_notebook="exemplar.ipynb", visitor_app=f"{_P}.exemplar:ExemplarApp"),
    Stage("survey", "12-survey.ipynb", N_("Survey"), f"{_F}.survey:SurveyPanel", demo_phase=phases.PUBLISHED,
          visitor_notebook="survey.ipynb", visitor_app=f"{_P}.survey:SurveyApp"),
)

BY_NAME = {s.name: s for s in STAGES}

#: The page every participant opens; it follows the room's phase by itself.
PARTICIPANT_NOTEBOOK = "participant.ipynb"

#: The room screen the facilitator shares on the call (opened with its own link, ``?s=``).
ROOM_NOTEBOOK = "room.ipynb"

@dataclass(frozen=True)
class ParticipantView:
    """What a participant's page shows while the room is in one phase."""
    #: "module:Class" of the view, built as ``Class(visitor, status, **options)``.
    view: str
    options: tuple[tuple[str, object], ...] = ()


PARTICIPANT_VIEWS: dict[str, ParticipantView] = {
    phases.SETUP: ParticipantView(f"{_P}.philosophy:WaitingView"),
    phases.BRAINSTORM: ParticipantView(f"{_P}.brainstorm:BrainstormView"),
    phases.GROUPING: ParticipantView(f"{_P}.board:BoardView"),
    phases.VOTING: ParticipantView(f"{_P}.voting:VotingView"),
    phases.DRAFTING: ParticipantView(f"{_P}.drafting:DraftingView"),
    phases.RATING: ParticipantView(f"{_P}.rating:RatingView"),
    phases.ACTIONS: ParticipantView(f"{_P}.philosophy:PhilosophyView", (("final", False),)),
    phases.PUBLISHED: ParticipantView(f"{_P}.philosophy:PhilosophyView", (("final", True),)),
}


def stage(name: str) -> Stage:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown facilitator stage {name!r}; one of {', '.join(BY_NAME)}") from None


def stage_of_phase(phase: str) -> Stage:
    """The stage the facilitator runs ``phase`` from."""
    return next(s for s in STAGES if phase in s.runs)


def visitor_stage(notebook_or_kind: str) -> Stage:
    """The follow-up stage whose visitors open ``notebook_or_kind`` ("survey" or "survey.ipynb")."""
    name = notebook_or_kind if notebook_or_kind.endswith(".ipynb") else f"{notebook_or_kind}.ipynb"
    for s in STAGES:
        if s.visitor_notebook == name:
            return s
    raise ValueError(f"no follow-up page {notebook_or_kind!r}")


def load(path: str):
    """The class named by a "module:Class" path, imported on first use."""
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)
