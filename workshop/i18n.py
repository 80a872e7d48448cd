"""Translations: gettext catalogues per language, compiled from .po by Babel.

The English text in the code is the message id. Each app holds a
``Translator`` for its visitor's language, so two people in the same room
can read the apps in different languages.

Usage from the shell: ``python -m workshop.i18n extract|update|compile|check``.
"""

from __future__ import annotations

import ast
import gettext as _gettext
import os
import sys
from functools import lru_cache
from pathlib import Path

from workshop.core.languages import DEFAULT, LANGUAGES  # noqa: F401 - the one list, re-exported for the widgets

DOMAIN = "workshop"
LOCALE_DIR = Path(__file__).parent / "locale"
PACKAGE_DIR = Path(__file__).parent


def _po(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _mo(lang: str) -> Path:
    return _po(lang).with_suffix(".mo")


def compile_catalog(lang: str) -> Path | None:
    """Compile one .po to .mo with Babel; returns the .mo path (None if no .po)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = _po(lang)
    if not po.exists():
        return None
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    mo = _mo(lang)
    # Written aside, then moved into place: kernels starting at once may read it meanwhile.
    part = mo.with_name(f"{mo.name}.{os.getpid()}.part")
    with part.open("wb") as f:
        write_mo(f, catalog, use_fuzzy=False)
    os.replace(part, mo)
    return mo


@lru_cache(maxsize=None)
def translations(lang: str) -> _gettext.NullTranslations:
    lang = lang if lang in LANGUAGES else DEFAULT
    po, mo = _po(lang), _mo(lang)
    if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
        try:
            compile_catalog(lang)  # a fresh clone that skipped `make install`
        except OSError:
            pass
    if mo.exists():
        with mo.open("rb") as f:
            return _gettext.GNUTranslations(f)
    return _gettext.NullTranslations()


class Translator:
    """The gettext functions for one language, passed to every widget."""

    def __init__(self, lang: str = DEFAULT):
        self.lang = lang if lang in LANGUAGES else DEFAULT
        t = translations(self.lang)
        self.gettext = t.gettext
        self.ngettext = t.ngettext

    def __call__(self, message: str) -> str:
        return self.gettext(message)

    def error(self, err) -> str:
        """A domain error in this language."""
        return err.localized(self.gettext)


def translator(lang: str | None) -> Translator:
    return Translator(lang or DEFAULT)


# ---- maintenance commands -------------------------------------------------------------

#: Translation function name -> how many leading arguments are messages (ngettext: singular, plural).
KEYWORDS = {"_": 1, "gettext": 1, "N_": 1, "t": 1, "ngettext": 2}
#: The same in Babel's notation.
BABEL_KEYWORDS = {name: None if n == 1 else tuple(range(1, n + 1)) for name, n in KEYWORDS.items()}


def _keyword(call):
    """The gettext keyword a call uses (``t(...)``, ``self.t(...)``, ``t.ngettext(...)``), or None."""
    f = call.func
    name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
    return name if name in KEYWORDS else None


def extract_python(fileobj, keywords, comment_tags, options):
    """Babel extraction method that reads the syntax tree instead of the token stream.

    Babel's own Python extractor sees an f-string as one string token, so a
    ``t("...")`` or ``t.ngettext(...)`` written inside ``f"...{t('...')}"`` was
    silently missing from the catalogue; the tree has those calls as nodes.
    """
    source = fileobj.read().decode("utf-8")
    tree = ast.parse(source)
    lines = source.splitlines()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not _keyword(node):
            continue
        n = KEYWORDS[_keyword(node)]
        args = node.args[:n]
        if len(args) < n or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
            continue  # t(variable): the message was marked where it was written
        message = args[0].value if n == 1 else tuple(a.value for a in args)
        above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
        comments = [above.split("TRANSLATORS:", 1)[1].strip()] if "# TRANSLATORS:" in above else []
        yield node.lineno, _keyword(node), message, comments


def unextractable() -> list[str]:
    """Translation calls whose message is built at run time (f-string, ``+``, ``%``, ``.format`` inside).

    Such a message can never match a catalogue entry, so it is always shown in English.
    """
    out = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _keyword(node) and node.args:
                for a in node.args[:KEYWORDS[_keyword(node)]]:
                    if isinstance(a, (ast.JoinedStr, ast.BinOp)) or (
                            isinstance(a, ast.Call) and isinstance(a.func, ast.Attribute)
                            and isinstance(a.func.value, (ast.Constant, ast.JoinedStr))):
                        out.append(f"{path.relative_to(PACKAGE_DIR.parent)}:{node.lineno}")
    return out


def _catalog():
    """Every message id of the package, read from the source."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(project="workshop", domain=DOMAIN)
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE_DIR, method_map=[("**.py", extract_python)], keywords=BABEL_KEYWORDS, comment_tags=("TRANSLATORS:",),
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _extract():
    """Extract every message id from the package into workshop/locale/workshop.pot."""
    from babel.messages.pofile import write_po

    catalog = _catalog()
    pot = LOCALE_DIR / f"{DOMAIN}.pot"
    pot.parent.mkdir(parents=True, exist_ok=True)
    with pot.open("wb") as f:
        write_po(f, catalog, width=100, sort_output=True)
    return catalog


def _update(catalog):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    for lang in LANGUAGES:
        if lang == DEFAULT:
            continue
        po = _po(lang)
        if po.exists():
            with po.open("rb") as f:
                existing = read_po(f, locale=lang)
        else:
            po.parent.mkdir(parents=True, exist_ok=True)
            existing = Catalog(locale=lang, domain=DOMAIN)
        existing.update(catalog, no_fuzzy_matching=True)
        with po.open("wb") as f:
            write_po(f, existing, width=100, sort_output=True, ignore_obsolete=True)


def missing(lang: str) -> list[str]:
    """Message ids of the code that have no translation in ``lang``."""
    from babel.messages.pofile import read_po

    catalog = _catalog()
    po = _po(lang)
    if not po.exists():
        return [m.id for m in catalog if m.id]
    with po.open("rb") as f:
        existing = read_po(f, locale=lang)
    out = []
    for m in catalog:
        if not m.id:
            continue
        t = existing.get(m.id)
        if t is None or not t.string or t.fuzzy or (isinstance(t.string, tuple) and not all(t.string)):
            out.append(m.id if isinstance(m.id, str) else m.id[0])
    return out


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "compile"
    if cmd == "extract":
        _extract()
    elif cmd == "update":
        _update(_extract())
    elif cmd == "compile":
        for lang in LANGUAGES:
            compile_catalog(lang)
    elif cmd == "check":
        bad = {lang: missing(lang) for lang in LANGUAGES if lang != DEFAULT}
        for lang, ids in bad.items():
            for i in ids:
                print(f"{lang}: {i}")
        built = unextractable()
        for where in built:
            print(f"message built at run time, cannot be translated: {where}")
        return 1 if any(bad.values()) or built else 0
    else:
        print("usage: python -m workshop.i18n extract|update|compile|check", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
