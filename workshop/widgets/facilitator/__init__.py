"""The facilitator apps: one panel per stage inside a shared shell (stage bar, timer, navigation).

Panels are named by import path and imported only when a notebook asks for
one, so a stage notebook loads only its own tools and new panels are new files.
"""

from __future__ import annotations

from importlib import import_module
from urllib.parse import urlencode

from workshop.core import phases
from workshop.core.errors import N_

#: Stage name (as given to ``show``) -> "module:Class" of its panel.
PANELS = {
    "control": "workshop.widgets.facilitator.control:ControlPanel",
    "setup": "workshop.widgets.facilitator.setup:SetupPanel",
    "invite": "workshop.widgets.facilitator.invite:InvitePanel",
    "brainstorm": "workshop.widgets.facilitator.brainstorm:BrainstormPanel",
    "values": "workshop.widgets.facilitator.values:ValuesPanel",
    "voting": "workshop.widgets.facilitator.voting:VotingPanel",
    "vision": "workshop.widgets.facilitator.vision:VisionPanel",
    "actions": "workshop.widgets.facilitator.actions:ActionsPanel",
    "publish": "workshop.widgets.facilitator.publish:PublishPanel",
    "gutcheck": "workshop.widgets.facilitator.gutcheck:GutCheckPanel",
    "teams": "workshop.widgets.facilitator.teams:TeamsPanel",
    "hiring": "workshop.widgets.facilitator.hiring:HiringPanel",
    "survey": "workshop.widgets.facilitator.survey:SurveyPanel",
}

#: Stage name -> its notebook, in the order of the run of show.
NOTEBOOKS = {
    "control": "00-facilitator.ipynb",
    "setup": "01-setup.ipynb",
    "invite": "02-invite.ipynb",
    "brainstorm": "03-brainstorm.ipynb",
    "values": "04-values.ipynb",
    "voting": "05-voting.ipynb",
    "vision": "06-vision.ipynb",
    "actions": "07-actions.ipynb",
    "publish": "08-publish.ipynb",
    "gutcheck": "09-gut-check.ipynb",
    "teams": "10-teams.ipynb",
    "hiring": "11-hiring.ipynb",
    "survey": "12-survey.ipynb",
}

#: Stage name -> its label in the navigation (translated when shown).
LABELS = {
    "control": N_("Control room"),
    "setup": N_("Setup"),
    "invite": N_("Invite"),
    "brainstorm": N_("Brainstorm"),
    "values": N_("Values"),
    "voting": N_("Voting"),
    "vision": N_("Vision"),
    "actions": N_("Actions"),
    "publish": N_("Publish"),
    "gutcheck": N_("Gut check"),
    "teams": N_("Teams"),
    "hiring": N_("Hiring"),
    "survey": N_("Survey"),
}

#: Stage name -> the workshop phase a demo is seeded to when a notebook is opened without a link.
DEMO_PHASES = {
    "control": phases.BRAINSTORM,
    "setup": phases.SETUP,
    "invite": phases.BRAINSTORM,  # people have joined, so the list is not empty
    "brainstorm": phases.BRAINSTORM,
    "values": phases.GROUPING,
    "voting": phases.VOTING,
    "vision": phases.RATING,
    "actions": phases.ACTIONS,
    "publish": phases.PUBLISHED,
    "gutcheck": phases.PUBLISHED,
    "teams": phases.PUBLISHED,
    "hiring": phases.PUBLISHED,
    "survey": phases.PUBLISHED,
}

#: Workshop phase -> the stage notebook where the facilitator runs it.
STAGE_OF_PHASE = {
    phases.SETUP: "invite",
    phases.BRAINSTORM: "brainstorm",
    phases.GROUPING: "values",
    phases.VOTING: "voting",
    phases.DRAFTING: "vision",
    phases.RATING: "vision",
    phases.ACTIONS: "actions",
    phases.PUBLISHED: "publish",
}


def stage_href(stage: str, code: str, key: str) -> str:
    """A link to a stage notebook relative to the page, so it works behind any host name or proxy."""
    return f"{NOTEBOOKS[stage]}?{urlencode({'w': code, 'key': key})}"


def panel_class(stage: str):
    """The panel class of ``stage``, imported on first use."""
    try:
        path = PANELS[stage]
    except KeyError:
        raise ValueError(f"unknown facilitator stage {stage!r}; one of {', '.join(PANELS)}") from None
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


__all__ = ["PANELS", "NOTEBOOKS", "LABELS", "DEMO_PHASES", "STAGE_OF_PHASE", "panel_class", "stage_href"]
