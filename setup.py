"""Build step the declarative pyproject.toml cannot express: compile the translations.

The ``.mo`` catalogues are not committed (only the ``.po`` sources are), so
``build_py`` compiles every ``workshop/locale/*/LC_MESSAGES/*.po`` it copies
into the build folder with Babel (a build requirement). The package itself is
not imported: a build needs none of its run-time dependencies.

In a checkout ``workshop/notebooks`` is a link to the top-level ``notebooks/``;
when the link is missing (an archive that dropped it), the notebooks are
copied from ``notebooks/`` instead, so the wheel always ships real files.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def compile_po(po: Path, mo: Path) -> None:
    """``workshop.i18n.compile_catalog`` without importing the package."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f, locale=po.parent.parent.name)
    mo.parent.mkdir(parents=True, exist_ok=True)
    with mo.open("wb") as f:
        write_mo(f, catalog, use_fuzzy=False)


class BuildPy(build_py):
    """build_py that also writes the compiled catalogues and copies the notebooks if unlinked."""

    def run(self):
        super().run()
        if self.editable_mode:  # an editable install reads the checkout; i18n compiles there
            return
        for po, mo in self._catalogues():
            compile_po(po, mo)
        for source, target in self._notebooks():
            if not target.exists():
                self.copy_file(str(source), str(target))

    def get_outputs(self, include_bytecode=True):
        outputs = list(super().get_outputs(include_bytecode))
        if not self.editable_mode:
            outputs += [str(mo) for _, mo in self._catalogues()]
            outputs += [str(target) for _, target in self._notebooks()]
        return sorted(set(outputs))

    def _catalogues(self):
        build = Path(self.build_lib) / "workshop" / "locale"
        for po in sorted((HERE / "workshop" / "locale").glob("*/LC_MESSAGES/*.po")):
            yield po, build / po.relative_to(HERE / "workshop" / "locale").with_suffix(".mo")

    def _notebooks(self):
        if (HERE / "workshop" / "notebooks").is_dir():
            return  # package data already copies them through the link
        build = Path(self.build_lib) / "workshop" / "notebooks"
        for nb in sorted((HERE / "notebooks").glob("*.ipynb")):
            yield nb, build / nb.name


setup(cmdclass={"build_py": BuildPy})
