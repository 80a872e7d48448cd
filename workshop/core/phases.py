"""The stages of a workshop, in the order the method runs them."""

from __future__ import annotations

from workshop.core.errors import N_

SETUP = "setup"
BRAINSTORM = "brainstorm"
GROUPING = "grouping"
VOTING = "voting"
DRAFTING = "drafting"
RATING = "rating"
ACTIONS = "actions"
PUBLISHED = "published"

ORDER = [SETUP, BRAINSTORM, GROUPING, VOTING, DRAFTING, RATING, ACTIONS, PUBLISHED]

TITLES = {
    SETUP: N_("Getting ready"),
    BRAINSTORM: N_("Brainstorm"),
    GROUPING: N_("Core values"),
    VOTING: N_("Dot voting"),
    DRAFTING: N_("Vision drafts"),
    RATING: N_("Rating the drafts"),
    ACTIONS: N_("Making it actionable"),
    PUBLISHED: N_("Our philosophy"),
}


def index(phase: str) -> int:
    return ORDER.index(phase)


def next_phase(phase: str) -> str | None:
    i = index(phase)
    return ORDER[i + 1] if i + 1 < len(ORDER) else None


def is_at_least(phase: str, other: str) -> bool:
    return index(phase) >= index(other)
