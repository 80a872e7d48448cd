"""Set-up for the whole run: a private home for everything tests write, and real workshops for nbval.

At the top of the checkout so that it applies to ``tests/`` and to the
notebooks nbval runs, whichever of them a developer asks pytest for.
"""

from __future__ import annotations

import os
import tempfile

# Everything a test run writes (the default SQLite file) goes to a private folder, never the
# developer's own var/. Set before any kernel starts, so nbval's notebook kernels and served
# Voila kernels inherit it.
if "WORKSHOP_TEST_HOME" not in os.environ:
    os.environ["WORKSHOP_TEST_HOME"] = tempfile.mkdtemp(prefix="workshop-tests-")
    os.environ["WORKSHOP_HOME"] = os.environ["WORKSHOP_TEST_HOME"]
    os.environ.pop("WORKSHOP_DB_URL", None)

import pytest  # noqa: E402

_seeded: dict[str, tuple[str, str]] = {}


def _workshop_at(phase: str) -> tuple[str, str]:
    """A demo workshop played forward to ``phase`` in the run's database: (code, key)."""
    if phase not in _seeded:
        from workshop.demo import seed
        from workshop.store import open_store

        _seeded[phase] = seed.seed(open_store(), phase)
    return _seeded[phase]


def _link_for(notebook: str) -> str | None:
    """The query string a real visitor's link would carry to ``notebook``."""
    from workshop.core import phases, stages

    if notebook == stages.PARTICIPANT_NOTEBOOK:
        return f"w={_workshop_at(phases.BRAINSTORM)[0]}"
    if notebook == stages.ROOM_NOTEBOOK:  # the room screen opens only with its own link
        from workshop.domain import room
        from workshop.store import open_store

        code, key = _workshop_at(phases.BRAINSTORM)
        return f"s={room.screen_secret(open_store(), code, key)}"
    for stage in stages.STAGES:
        if notebook == stage.notebook:
            code, key = _workshop_at(stage.demo_phase)
            return f"w={code}&key={key}"
        if notebook == stage.visitor_notebook:
            return f"w={_workshop_at(phases.PUBLISHED)[0]}"
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before nbval starts a notebook's kernel: open that page as its visitor would, with a link.

    The pages read the link from QUERY_STRING (as Voila hands it over), so each notebook runs
    against a real workshop at its own stage, and nbval fails when a page cannot build its app."""
    if type(item).__module__.startswith("nbval") and item.parent is not None:
        link = _link_for(os.path.basename(str(item.path)))
        if link is None:
            os.environ.pop("QUERY_STRING", None)
        else:
            os.environ["QUERY_STRING"] = link


def pytest_runtest_teardown(item):
    # The kernel has its copy; servers that later tests start must not inherit a link.
    if type(item).__module__.startswith("nbval"):
        os.environ.pop("QUERY_STRING", None)
