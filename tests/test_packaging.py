"""pyproject.toml and environment.yml declare the same dependencies with the same version ranges."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
ENVIRONMENT = ROOT / "environment.yml"

#: PyPI name -> conda-forge name, where they differ beyond case, "_" and extras.
CONDA_NAME: dict[str, str] = {"build": "python-build"}

#: conda entries that are tools of the environment, not dependencies of the package.
CONDA_ONLY = {"pip"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_ranges() -> dict[str, SpecifierSet]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    ranges = {}
    for line in reqs:
        req = Requirement(line)  # psycopg[binary]>=3.2,<4 -> psycopg, >=3.2,<4
        name = canonical(req.name)
        assert name not in ranges, f"{name} is declared twice in pyproject.toml"
        ranges[CONDA_NAME.get(name, name)] = req.specifier
    ranges["python"] = SpecifierSet(project["requires-python"])
    return ranges


def _entries_yaml(text: str) -> list[str]:
    import yaml

    doc = yaml.safe_load(text)
    entries = []
    for dep in doc["dependencies"]:
        if isinstance(dep, dict):  # a "- pip: [...]" section
            entries += dep.get("pip", [])
        else:
            entries.append(str(dep))
    return entries


def _entries_lines(text: str) -> list[str]:
    """The dependency list read line by line, for machines without PyYAML."""
    entries, inside = [], False
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        if not raw.startswith((" ", "-")):
            inside = line.strip() == "dependencies:"
            continue
        item = line.strip()
        if inside and item.startswith("- "):
            item = item[2:].strip().strip("'\"")
            if item != "pip:":
                entries.append(item)
    return entries


def environment_entries() -> list[str]:
    text = ENVIRONMENT.read_text(encoding="utf-8")
    try:
        return _entries_yaml(text)
    except ImportError:
        return _entries_lines(text)


def environment_ranges() -> dict[str, SpecifierSet]:
    ranges = {}
    for entry in environment_entries():
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*)", entry.strip())
        assert m, f"cannot read {entry!r} in environment.yml"
        name, spec = canonical(m.group(1)), m.group(2).replace(" ", "")
        if name in CONDA_ONLY:
            continue
        assert name not in ranges, f"{name} is listed twice in environment.yml"
        # conda's "pkg 1.2.*" and "==" forms are not used here; a bare "=" would mean a pin.
        assert not re.match(r"=[^=]", spec), f"{entry!r}: use ranges such as >=x,<y"
        ranges[name] = SpecifierSet(spec)
    return ranges


def test_every_dependency_has_the_same_range_in_pyproject_and_environment_yml():
    py, conda = pyproject_ranges(), environment_ranges()
    only_py = sorted(set(py) - set(conda))
    only_conda = sorted(set(conda) - set(py))
    assert not only_py, f"in pyproject.toml but not environment.yml: {only_py}"
    assert not only_conda, f"in environment.yml but not pyproject.toml: {only_conda}"
    differ = {name: (str(py[name]), str(conda[name])) for name in py if py[name] != conda[name]}
    assert not differ, f"ranges differ (pyproject, environment.yml): {differ}"


def test_every_dependency_has_a_bounded_range():
    for name, spec in pyproject_ranges().items():
        if name == "python":
            continue
        ops = {s.operator for s in spec}
        assert ">=" in ops and "<" in ops, f"{name} {spec}: give a lower and an upper bound"


def test_psycopg_binary_extra_is_psycopg_on_conda_forge():
    assert "psycopg" in pyproject_ranges()
    assert "psycopg" in environment_ranges()
    assert any(e.startswith("psycopg[binary]") for e in tomllib.loads(
        PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"])


def test_environment_uses_conda_forge():
    import yaml

    assert yaml.safe_load(ENVIRONMENT.read_text(encoding="utf-8"))["channels"] == ["conda-forge"]


def test_line_reader_agrees_with_yaml_on_the_real_file():
    pytest.importorskip("yaml")
    text = ENVIRONMENT.read_text(encoding="utf-8")
    assert _entries_lines(text) == _entries_yaml(text)


def test_line_reader_copes_with_comments_quotes_and_a_pip_section():
    text = (
        "# comment\n"
        "name: x\n"
        "channels:\n  - conda-forge\n"
        "dependencies:\n"
        "  - python>=3.10  # the interpreter\n"
        "  # dev\n"
        "  - 'pandas>=2.2,<4'\n"
        "  - pip\n"
        "  - pip:\n"
        "    - segno>=1.6,<2\n"
        "variables:\n  - A\n"
    )
    assert _entries_lines(text) == ["python>=3.10", "pandas>=2.2,<4", "pip", "segno>=1.6,<2"]
