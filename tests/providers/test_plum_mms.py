"""Plum sends SMS only: a send request with MMS media is refused before anything goes out."""

import pytest

from smschat.providers.base import SendRequest


@pytest.mark.parametrize("change", [{"media_urls": ("https://cdn.example/a.jpg",), "kind": "mms"}, {"kind": "mms"},
                                    {"media_urls": ("https://cdn.example/a.jpg",)}])
async def test_mms_is_refused_before_any_request(make_plum, refused_url, change):
    plum = make_plum(url=refused_url)  # nothing listens there: a request would be a NetworkError
    with pytest.raises(ValueError, match="SMS only"):
        await plum.queue(SendRequest(to="2435678910", from_number="2435670000", body="pic", **change))
