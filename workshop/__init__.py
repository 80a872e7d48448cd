"""Run a customer service philosophy workshop: brainstorm, values, vote, vision, actions.

The public API is the domain modules (``workshops``, ``cards``, ``grouping``,
``voting``, ``vision``, ``actionable``) called with a :class:`Store`.
"""

from workshop.core.errors import (
    BudgetExceeded,
    InvalidInput,
    NotAuthorized,
    NotFound,
    StoreUnavailable,
    WorkshopError,
    WrongPhase,
)
from workshop.store import Store, open_store

__version__ = "0.1.0"

__all__ = [
    "BudgetExceeded", "InvalidInput", "NotAuthorized", "NotFound", "Store", "StoreUnavailable",
    "WorkshopError", "WrongPhase", "open_store", "__version__",
]
