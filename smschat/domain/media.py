"""MMS attachments as the agent sees them: a type, a name and the URL. Pure, no I/O.

A message's media are URLs only (the provider's records, the receiver's posts and the outbox keep
nothing else), so the type comes from the name's extension ("file" when there is none, as with
Plivo's own media URLs) and the name is the URL's last path segment, percent-decoded. Every piece
comes from the wire: it is sanitised here (controls shown as symbols), never trusted as markup.

Sending: `check_media_url` says what is wrong with a URL the agent typed; at most `MAX_MEDIA` per
message. Only providers in `MMS_PROVIDERS` send MMS (Plum sends SMS only).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from smschat.domain.plivo_rules import MAX_MEDIA
from smschat.domain.sanitize import sanitize_line

#: Providers whose messages may carry media.
MMS_PROVIDERS = frozenset({"plivo"})
#: Longer URLs are refused when typed (and shortened when shown).
MAX_URL = 2000
NAME_LIMIT = 60

_KINDS = {
    "image": ("jpg", "jpeg", "png", "gif", "webp", "heic", "heif", "bmp", "tif", "tiff", "svg"),
    "video": ("mp4", "m4v", "mov", "3gp", "3g2", "webm", "mpeg", "mpg", "avi"),
    "audio": ("mp3", "m4a", "aac", "amr", "wav", "ogg", "oga", "opus", "flac"),
    "contact card": ("vcf", "vcard"),
    "calendar": ("ics",),
    "PDF": ("pdf",),
    "text": ("txt", "csv", "rtf"),
}
_BY_EXTENSION = {ext: kind for kind, extensions in _KINDS.items() for ext in extensions}


@dataclass(frozen=True)
class Attachment:
    kind: str  # "image", "video", "audio", "contact card", "calendar", "PDF", "text" or "file"
    name: str  # shown as is: sanitised, at most NAME_LIMIT characters
    url: str  # shown as is: sanitised (the raw URL stays in the message)

    @property
    def label(self) -> str:
        """"image · brake.jpg"."""
        return f"{self.kind} · {self.name}"


def supports_mms(provider: str) -> bool:
    return str(provider or "").strip().lower() in MMS_PROVIDERS


def describe(url: str) -> Attachment:
    """The attachment behind a media URL (whatever the URL holds, this never raises)."""
    raw = str(url)
    try:
        parts = urlsplit(raw.strip())
        path, host = parts.path, parts.hostname or ""
    except ValueError:
        path, host = raw, ""
    segment = unquote(path.rstrip("/").rsplit("/", 1)[-1]) if path.strip("/") else ""
    name = _shorten(sanitize_line(segment or host or raw, limit=MAX_URL)) or "(no name)"
    extension = segment.rsplit(".", 1)[-1].lower() if "." in segment else ""
    return Attachment(kind=_BY_EXTENSION.get(extension, "file"), name=name, url=sanitize_line(raw, limit=MAX_URL))


def _shorten(name: str) -> str:
    """At most NAME_LIMIT characters, the end (the extension) kept: "very-long…name.jpg"."""
    if len(name) <= NAME_LIMIT:
        return name
    tail = 16
    return name[: NAME_LIMIT - tail - 1] + "…" + name[-tail:]


def attachments(urls: Iterable[str]) -> list[Attachment]:
    return [describe(url) for url in urls]


def summary(count: int) -> str:
    """"1 attachment", "3 attachments"."""
    return f"{count} attachment" + ("" if count == 1 else "s")


class BadMediaUrl(ValueError):
    """A media URL the agent typed cannot be sent; the message says why."""


def check_media_url(text: str, current: Iterable[str] = ()) -> str:
    """The URL to add to `current`, or `BadMediaUrl` saying what is wrong with it."""
    url = str(text).strip()
    have = list(current)
    if not url:
        raise BadMediaUrl("type or paste the URL of the file (https://...)")
    if len(have) >= MAX_MEDIA:
        raise BadMediaUrl(f"an MMS carries at most {MAX_MEDIA} attachments")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise BadMediaUrl("a URL has no spaces or control characters")
    if len(url) > MAX_URL:
        raise BadMediaUrl(f"that URL is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise BadMediaUrl("that is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BadMediaUrl("the URL must start with https:// (or http://): the provider fetches the file from there")
    if not host:
        raise BadMediaUrl("the URL has no host name")
    if parts.username or parts.password:
        raise BadMediaUrl("the URL must not contain a user name or password")
    if url in have:
        raise BadMediaUrl("that file is attached already")
    return url


__all__ = [
    "MAX_MEDIA",
    "MMS_PROVIDERS",
    "Attachment",
    "BadMediaUrl",
    "attachments",
    "check_media_url",
    "describe",
    "summary",
    "supports_mms",
]
