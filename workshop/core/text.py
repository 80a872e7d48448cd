"""Checks every piece of text a person types before it is stored."""

from __future__ import annotations

import unicodedata

from workshop.core.errors import N_, InvalidInput

# Bidirectional overrides can make a card read differently from what was
# typed; plain right-to-left text (Arabic, Hebrew) is fine and kept.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean(value, *, what: str, limit: int, multiline: bool = False, required: bool = True) -> str:
    """Return the text as it will be stored, or refuse it with a clear message.

    ``what`` is a translatable noun for the message ("card", "name")."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(N_("The {what} must be text."), what=what)
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    for ch in text:
        if ch in "\n\t":
            if ch == "\n" and not multiline:
                raise InvalidInput(N_("The {what} must fit on one line."), what=what)
            continue
        if ch in _BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
            raise InvalidInput(
                N_("The {what} contains an invisible control character; please retype it."), what=what
            )
    if required and not text:
        raise InvalidInput(N_("The {what} is empty."), what=what)
    if len(text) > limit:
        raise InvalidInput(
            N_("The {what} is {length} characters long; the limit is {limit}."),
            what=what, length=len(text), limit=limit,
        )
    return text


def whole_number(value, *, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            # A ticked checkbox is not a number, though int(True) would make it 1.
            if isinstance(value, bool) or (isinstance(value, float) and value != int(value)):
                raise ValueError
            value = int(value)
        except (TypeError, ValueError, OverflowError):  # OverflowError: int(float("inf"))
            raise InvalidInput(N_("The {what} must be a whole number."), what=what) from None
    if not low <= value <= high:
        raise InvalidInput(
            N_("The {what} must be between {low} and {high}."), what=what, low=low, high=high
        )
    return value
