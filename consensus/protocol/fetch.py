"""Fetching a protocol file by its URL, with a guard against the server's own network.

A pure module (plain Python and the standard library, no Flask or SQLAlchemy). Used by a
förbund's import by URL (the web form and ``consensus protocol import``) and by
``consensus protocol validate``; a refusal is a :class:`FetchError` whose ``code`` selects the
message in the protocol's one catalogue (``messages.FETCH``).
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from ..messages import Gettext, swedish
from .messages import CATALOGUE, FETCH, UNKNOWN_ERROR, size
from .validate import DEFAULT_MAX_BYTES

__all__ = ["MESSAGES", "FetchError", "fetch_url"]

#: The fetch refusals (kept under this name for callers; the catalogue holds them).
MESSAGES = FETCH


class FetchError(ValueError):
    """A refused or failed fetch; ``code`` selects the message in the protocol catalogue.
    :meth:`render` in the reader's language, :attr:`message` in Swedish."""

    def __init__(self, code: str, /, **params: Any):
        self.code = code
        self.params = params
        super().__init__(self.message)

    def render(self, gettext: Gettext = swedish) -> str:
        return CATALOGUE.render(self.code, self.params, gettext)

    @property
    def message(self) -> str:
        return self.render()


def _refuse_private_host(url: str) -> None:
    """Refuse a URL whose host resolves to a loopback, private, link-local, multicast or
    reserved address (the server would fetch from its own network on a user's behalf)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError) as exc:
        raise FetchError("url_unreachable", url=url, reason=str(exc) or UNKNOWN_ERROR) from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            raise FetchError("url_private", host=host)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to http(s) and, unless allowed, not into a private network."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise FetchError("url_scheme")
        if not self.allow_private:
            _refuse_private_host(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_url(
    url: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    timeout: float = 15.0,
    allow_private: bool = True,
) -> bytes:
    """The bytes at an http(s) URL, at most ``max_bytes`` (a :class:`FetchError` with a
    Swedish message otherwise). With ``allow_private=False`` (the web form, by default) a host
    on a loopback, private or reserved network is refused, before and after redirects; the
    name is resolved again by the connection, so this is a guard against mistakes and casual
    probing, not against DNS rebinding. Keeps no state."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in ("http", "https"):
        raise FetchError("url_scheme")
    if not allow_private:
        _refuse_private_host(url)
    opener = urllib.request.build_opener(_CheckedRedirects(allow_private))
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError("url_too_large", limit=_limit(max_bytes))
            data = response.read(max_bytes + 1)
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError("url_http_error", status=exc.code, url=url) from None
    except urllib.error.URLError as exc:
        raise FetchError("url_unreachable", url=url, reason=str(exc.reason)) from None
    except (TimeoutError, OSError, ValueError) as exc:
        raise FetchError("url_unreachable", url=url, reason=str(exc) or UNKNOWN_ERROR) from None
    if len(data) > max_bytes:
        raise FetchError("url_too_large", limit=_limit(max_bytes))
    return data


def _limit(n: int) -> str:
    return size(n)
