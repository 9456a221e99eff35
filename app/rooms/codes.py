"""Room codes that are easy to read aloud, and the lecturer's secret token."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# No 0/O, no 1/I/L: nothing a hall can mishear or misread from a projector.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6
SEPARATORS = str.maketrans("", "", " -_\t")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(text: str) -> str | None:
    """The code a person typed (any case, spaces or dashes anywhere), or None if it cannot be a code."""
    code = text.translate(SEPARATORS).upper()
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def new_token() -> str:
    return secrets.token_urlsafe(24)


def digest(token: str) -> str:
    """What is stored (in memory or Redis): never the token itself."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_matches(token: str | None, stored_digest: str | None) -> bool:
    if not token or not stored_digest:
        return False
    return hmac.compare_digest(digest(token), stored_digest)
