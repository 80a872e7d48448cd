"""Help for the facilitator that never decides on its own: suggested values and groups, hints on drafts."""
