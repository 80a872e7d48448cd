"""The one list of languages the toolkit speaks: the apps, the catalogues, the documents and the CLI read it."""

from __future__ import annotations

#: Language code -> its name in that language, for the language menu.
LANGUAGES = {"en": "English", "de": "Deutsch", "zh_Hant": "繁體中文"}

DEFAULT = "en"

#: The ``lang`` attribute of a page in each language (BCP 47).
HTML_LANG = {"en": "en", "de": "de", "zh_Hant": "zh-Hant"}
