"""Where the database lives and the limits every input is checked against."""

from __future__ import annotations

import os
from pathlib import Path

#: The environment variable that selects another database (SQLAlchemy URL).
DB_URL_ENV = "WORKSHOP_DB_URL"

#: Default home of the embedded SQLite database; override with WORKSHOP_HOME.
HOME_ENV = "WORKSHOP_HOME"


#: A source checkout (``make demo``) keeps its data in ``var/`` beside pyproject.toml.
_CHECKOUT = Path(__file__).resolve().parents[2]


def workshop_home() -> Path:
    """$WORKSHOP_HOME, else ``var/`` of the source checkout, else ~/.local/share/workshop.

    Not the current directory: Voila runs kernels inside ``notebooks/`` while
    the CLI runs at the top, and both must open the same database."""
    if os.environ.get(HOME_ENV):
        return Path(os.environ[HOME_ENV])
    if (_CHECKOUT / "pyproject.toml").exists():
        return _CHECKOUT / "var"
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "workshop"


def default_db_url() -> str:
    """The URL used when neither ``--db`` nor WORKSHOP_DB_URL is given."""
    return os.environ.get(DB_URL_ENV) or f"sqlite:///{workshop_home() / 'workshop.sqlite'}"


# Limits, in characters after surrounding white space is stripped. They keep
# a wall of cards readable on a shared screen and a phone.
MAX_TITLE = 120
MAX_NAME = 60
MAX_CARD = 280
MAX_VALUE_NAME = 40
MAX_DESCRIPTION = 400
MAX_DRAFT = 300
MAX_ACTION = 200
MAX_METRIC = 80
MAX_COMMENT = 1000
MAX_QUESTION = 300
MAX_ANSWER = 2000

MAX_CARDS_PER_PARTICIPANT = 40
MAX_DRAFTS_PER_PARTICIPANT = 10
MAX_PARTICIPANTS = 1000
MAX_VALUES = 60
MAX_METRICS_PER_VALUE = 8
MAX_BUDGET = 50
DEFAULT_TARGET = 5

# The follow-up after the workshop: gut check, hiring benchmark, team practices, survey.
MAX_PRACTICE = 600
MAX_QUESTIONS_PER_VALUE = 8

#: How long a writer waits for SQLite's lock before giving up (ms).
SQLITE_BUSY_TIMEOUT_MS = 15000

#: How long Join keeps asking a busy database before it says "try again" (s). Measured: 400
#: people pressing Join in the same second on one 2-core server wait up to about a minute
#: for SQLite's one write lock, since each kernel holding it waits for a core; the ordinary
#: budget (4 attempts) sent one in five of them back to press Join again.
JOIN_PATIENCE_S = 300
