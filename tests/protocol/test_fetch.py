"""The URL fetch guard: only http(s), no internal networks unless allowed, redirects checked."""

import pytest

from consensus.protocol.fetch import FetchError, _CheckedRedirects, fetch_url


def test_fetch_url_refuses_other_schemes_and_unreachable_hosts():
    for url in ("file:///etc/passwd", "ftp://example.se/p.json", "protokoll.json"):
        with pytest.raises(FetchError) as error:
            fetch_url(url)
        assert error.value.code == "url_scheme"
    with pytest.raises(FetchError) as error:
        fetch_url("http://127.0.0.1:9/p.json", timeout=2)
    assert (
        error.value.code == "url_unreachable" and "Det gick inte att hämta" in error.value.message
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5000/p.json",
        "http://localhost/p.json",
        "http://[::1]/p.json",
        "http://10.1.2.3/p.json",
        "http://192.168.0.10/p.json",
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0/p.json",
    ],
)
def test_fetch_url_refuses_internal_networks_unless_allowed(url):
    with pytest.raises(FetchError) as error:
        fetch_url(url, allow_private=False)
    assert error.value.code == "url_private" and "internt nät" in error.value.message


def test_redirects_are_checked_too():
    from urllib.request import Request

    handler = _CheckedRedirects(allow_private=False)
    request = Request("https://example.se/p.json")
    for target, code in [
        ("http://10.0.0.1/p.json", "url_private"),
        ("file:///etc/passwd", "url_scheme"),
    ]:
        with pytest.raises(FetchError) as error:
            handler.redirect_request(request, None, 302, "Found", {}, target)
        assert error.value.code == code
    # A public address is followed (resolving a literal needs no network).
    followed = handler.redirect_request(request, None, 302, "Found", {}, "http://93.184.216.34/p")
    assert followed.full_url == "http://93.184.216.34/p"
