"""Join codes, facilitator keys and participant tokens, and how they are checked.

Only hashes of keys and tokens are stored: a copy of the database does not
let anyone act as the facilitator or as a participant.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

# No I, L, O, 0 or 1: a code read aloud over a video call cannot be misheard
# as another. 31 symbols ** 8 is about 8.5e11 codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """ABCD2345 -> ABCD-2345, easier to read aloud."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def digest(secret: str) -> str:
    # Keys and tokens are 192 random bits, so a plain SHA-256 is enough; a
    # slow password hash would only slow every participant action down.
    return hashlib.sha256(str(secret or "").encode("utf-8")).hexdigest()


def matches(secret: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)
