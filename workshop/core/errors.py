"""Typed errors the domain raises, each with a message a facilitator can read.

A message is an English template marked for translation; apps show it with
``err.localized(gettext)`` so the visitor reads it in their own language.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a string for translation without translating it here."""
    return message


class WorkshopError(Exception):
    """Base class: the action was refused and nothing was changed."""

    def __init__(self, template: str, **params):
        self.template = template
        self.params = params
        super().__init__(self.localized())

    def localized(self, gettext=None) -> str:
        text = gettext(self.template) if gettext else self.template
        params = dict(self.params)
        if gettext and isinstance(params.get("what"), str):
            params["what"] = gettext(params["what"])  # nouns are marked with N_ too
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return self.template.format(**self.params)


class NotFound(WorkshopError):
    """No such workshop, participant, card, value or draft."""


class InvalidInput(WorkshopError):
    """Text or numbers that break a rule: empty, too long, out of range."""


class WrongPhase(WorkshopError):
    """The action belongs to another stage of the workshop."""


class NotAuthorized(WorkshopError):
    """Wrong facilitator key, or somebody else's card or vote."""


class BudgetExceeded(WorkshopError):
    """More dots than the round allows."""


class StoreUnavailable(WorkshopError):
    """The database did not answer; the action was not saved."""
