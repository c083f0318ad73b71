"""MMS attachments: what the thread shows for a media URL, and which URLs the composer accepts."""

from __future__ import annotations

import pytest

from smschat.domain.media import (
    MAX_MEDIA,
    BadMediaUrl,
    attachments,
    check_media_url,
    describe,
    summary,
    supports_mms,
)


@pytest.mark.parametrize("url, kind, name", [
    ("https://media.example.com/demo/maya-brake.jpg", "image", "maya-brake.jpg"),
    ("https://cdn.example.com/a/b/CLIP.MP4?sig=abc#t=3", "video", "CLIP.MP4"),
    ("http://files.example.org/voice%20note.amr", "audio", "voice note.amr"),
    ("https://x.example/card.vcf", "contact card", "card.vcf"),
    ("https://x.example/price-list.pdf", "PDF", "price-list.pdf"),
    ("https://media.plivo.com/Account/MA1/Message/abc/Media/ME123/", "file", "ME123"),
    ("https://just-a-host.example", "file", "just-a-host.example"),
    ("https://just-a-host.example/", "file", "just-a-host.example"),
])
def test_an_attachment_has_a_type_a_name_and_its_url(url, kind, name):
    attachment = describe(url)
    assert (attachment.kind, attachment.name, attachment.url) == (kind, name, url)
    assert attachment.label == f"{kind} · {name}"


def test_hostile_names_and_urls_are_shown_as_the_characters_they_are():
    url = "https://x.example/a%1b%5b31m%e2%80%aeb.png?q=\x1b]52;c;aGk=\x07"
    attachment = describe(url)
    for text in (attachment.name, attachment.url):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert attachment.kind == "image" and attachment.name.startswith("a␛[31m")
    long = describe("https://x.example/" + "n" * 500 + ".gif")
    assert len(long.name) == 60 and long.name.endswith("nnn.gif") and "…" in long.name and long.kind == "image"


def test_describe_never_raises():
    for url in ("", "not a url", "https://[::1", "\x00", "https://x.example/%ff%fe.jpg"):
        assert describe(url).name  # something to show, whatever came in
    assert [a.name for a in attachments(["https://a.example/1.png", "https://a.example/2.png"])] == ["1.png", "2.png"]


def test_summary_and_providers():
    assert (summary(1), summary(2)) == ("1 attachment", "2 attachments")
    assert supports_mms("plivo") and supports_mms(" Plivo ") and not supports_mms("plum") and not supports_mms("")


def test_a_good_url_is_accepted_trimmed():
    assert check_media_url("  https://cdn.example.com/p.jpg \n") == "https://cdn.example.com/p.jpg"
    assert check_media_url("http://cdn.example.com/p.jpg") == "http://cdn.example.com/p.jpg"


@pytest.mark.parametrize("text, reason", [
    ("", "type or paste"),
    ("   ", "type or paste"),
    ("ftp://cdn.example.com/p.jpg", "must start with https://"),
    ("cdn.example.com/p.jpg", "must start with https://"),
    ("javascript:alert(1)", "must start with https://"),
    ("https:///p.jpg", "no host name"),
    ("https://cdn.example.com/my photo.jpg", "no spaces"),
    ("https://cdn.example.com/p.jpg\x1b[2J", "control characters"),
    ("https://me:secret@cdn.example.com/p.jpg", "user name or password"),
    ("https://[::1/p.jpg", "not a valid URL"),
    ("https://cdn.example.com/" + "a" * 2000, "longer than 2000"),
])
def test_bad_urls_are_refused_with_the_reason(text, reason):
    with pytest.raises(BadMediaUrl, match=reason.replace("(", r"\(")):
        check_media_url(text)


def test_at_most_ten_and_never_twice():
    have = [f"https://cdn.example.com/{i}.jpg" for i in range(MAX_MEDIA - 1)]
    assert check_media_url("https://cdn.example.com/last.jpg", have)
    with pytest.raises(BadMediaUrl, match="attached already"):
        check_media_url(have[0], have)
    with pytest.raises(BadMediaUrl, match="at most 10"):
        check_media_url("https://cdn.example.com/eleven.jpg", [*have, "https://cdn.example.com/last.jpg"])
