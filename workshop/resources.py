"""Files the package ships (lexicon, metrics, demo workshop, notebooks), found as package data.

Read through importlib.resources so an installed wheel finds them as a
checkout does; in a checkout ``workshop/notebooks`` is a link to the top-level
``notebooks/`` the facilitators and nbval use, so there is one copy."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def data_file(name: str) -> Path:
    """A file of ``workshop/data/`` (the value lexicon, the metrics catalogue)."""
    return Path(str(files("workshop") / "data" / name))


def demo_file(name: str) -> Path:
    return Path(str(files("workshop") / "demo" / name))


def notebooks_dir() -> Path:
    """The notebooks Voila serves: the checkout's ``notebooks/`` or the wheel's shipped copy."""
    return Path(str(files("workshop") / "notebooks")).resolve()
