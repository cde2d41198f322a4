"""The small text and identifier helpers of the protocol builder (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["identifier", "sv"]

_ID_BAD = re.compile(r"[^A-Za-z0-9._-]+")


def sv(text: str) -> dict[str, str]:
    return {"sv": text}


def identifier(value: Any, fallback: str = "x") -> str:
    """``value`` as a protocol identifier (letters, digits, . _ -; at most 64 characters)."""
    text = _ID_BAD.sub("-", str(value or "")).strip("-.") or fallback
    if not re.match(r"[A-Za-z0-9_]", text):
        text = "_" + text
    return text[:64]


def _text(value: Any, fallback: str) -> dict[str, str]:
    if isinstance(value, Mapping):
        out = {k: v for k, v in value.items() if isinstance(v, str) and v.strip()}
        if out.get("sv"):
            return out
    if isinstance(value, str) and value.strip():
        return sv(value.strip())
    return sv(fallback)


def _with_en(text: dict[str, str] | None, en: Any) -> dict[str, str] | None:
    """A Swedish language map with the study's English text (``title_en`` ...) as ``en``."""
    if text is None or not isinstance(en, str) or not en.strip() or "en" in text:
        return text
    return {**text, "en": en.strip()}


def _opt_text(value: Any) -> dict[str, str] | None:
    if isinstance(value, Mapping) and value.get("sv"):
        return {k: v for k, v in value.items() if isinstance(v, str) and v.strip()}
    if isinstance(value, str) and value.strip():
        return sv(value.strip())
    return None


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != [] and value != {}:
        target[key] = value
