"""Personal-link tokens (pure).

A token is 32 random bytes, URL-safe base64 (43 characters, 256 bits). Only its SHA-256 is
stored: a high-entropy token needs no slow KDF, and a fast hash lets hundreds of panelists
arrive at once (see shared field notes). Lookup is by the hash, so no timing leak compares
secrets byte by byte.
"""

import hashlib
import re
import secrets

TOKEN_BYTES = 32
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def looks_like_token(text: str) -> bool:
    """Cheap shape check before any database lookup."""
    return bool(_TOKEN_RE.match(text or ""))
