"""The three criteria every vision draft is rated against, 1 to 5."""

from __future__ import annotations

from workshop.core.errors import N_

SIMPLE = "simple"
SERVICE = "service"
IDENTITY = "identity"

ORDER = [SIMPLE, SERVICE, IDENTITY]

TITLES = {
    SIMPLE: N_("Simple to understand and act on"),
    SERVICE: N_("Describes the service we give"),
    IDENTITY: N_("Who we are and who we want to be"),
}

# One line each, shown beside the rating buttons.
EXPLANATIONS = {
    SIMPLE: N_("Specific and tied to our ideal customer; anyone on the team knows what to do with it."),
    SERVICE: N_("About the customer's experience with us, not a rewrite of the company vision."),
    IDENTITY: N_("True today and worth growing into: picture a day when everything goes right."),
}

LOWEST, HIGHEST = 1, 5
