"""Plivo's request signatures: `X-Plivo-Signature-V3` (and the older V2). Pure functions, stdlib only.

Plivo signs every request it makes to your URLs (inbound message URL, status callback `url`):

- `X-Plivo-Signature-V3-Nonce`: a random string (Plivo sends 20 digits);
- `X-Plivo-Signature-V3`: base64(HMAC-SHA256(auth token, signing string)), or several such
  signatures separated by commas (one per active auth token of the account): any one may match.

The V3 signing string, as Plivo's SDKs build it (checked against the vectors in their tests):

- `base` is the URL without its query: `scheme://host[:port]/path`;
- POST: `base`, then — when the URL has a query or the form has fields — `?`, the URL's query
  parameters sorted and joined as `k=v&k=v`, a `.` when there were both query parameters and form
  fields, and the form fields sorted by name and written as `namevalue` with nothing in between;
- GET: `base`, then `?` and every parameter (the URL's query and the ones given) sorted as
  `k=v&k=v` when there is any;
- then `.` and the nonce.

A key with several values contributes each value, sorted. Strings are UTF-8 (the Go and Node SDKs
hash UTF-8; the Python SDK re-encodes non-ASCII bytes, which no longer matches them).

V2 (older; signs neither the body nor the query, so a captured V2 header authenticates any body
sent to the same URL): base64(HMAC-SHA256(auth token, URL without query + nonce)).

The receiver verifies with `verify_v3`; the simulator signs its webhooks with `sign_v3`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import parse_qsl, urlsplit, urlunsplit

SIGNATURE_HEADER = "X-Plivo-Signature-V3"
NONCE_HEADER = "X-Plivo-Signature-V3-Nonce"
SIGNATURE_HEADER_V2 = "X-Plivo-Signature-V2"
NONCE_HEADER_V2 = "X-Plivo-Signature-V2-Nonce"
METHODS = ("GET", "POST")

Params = Mapping[str, str | Sequence[str]]


def new_nonce() -> str:
    """A fresh nonce like Plivo's: 20 random decimal digits."""
    return "".join(secrets.choice("0123456789") for _ in range(20))


def _multimap(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(str(key), []).append(str(value))
    return out


def _from_params(params: Params | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in (params or {}).items():
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            values = [value.decode() if isinstance(value, bytes) else str(value)]
        else:
            values = [str(v) for v in value]
        out.setdefault(str(key), []).extend(values)
    return out


def _query_string(params: Mapping[str, list[str]]) -> str:
    return "&".join(f"{key}={value}" for key in sorted(params) for value in sorted(params[key]))


def _params_string(params: Mapping[str, list[str]]) -> str:
    return "".join(f"{key}{value}" for key in sorted(params) for value in sorted(params[key]))


def _split_url(url: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(url)
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return base, _multimap(parse_qsl(parts.query, keep_blank_values=True))


def _method(method: str) -> str:
    upper = str(method).strip().upper()
    if upper not in METHODS:
        raise ValueError(f"Plivo signs GET and POST requests only, not {method!r}")
    return upper


def signing_string_v3(url: str, nonce: str, params: Params | None = None, method: str = "POST") -> str:
    """The exact text Plivo's V3 signature is computed over (see the module doc)."""
    method = _method(method)
    base, query = _split_url(url)
    given = _from_params(params)
    if method == "GET":
        for key, values in given.items():
            query.setdefault(key, []).extend(values)
        text = base + ("?" + _query_string(query) if query else "")
    else:
        text = base
        if query or given:
            text += "?" + _query_string(query)
            if query and given:
                text += "."
            text += _params_string(given)
    return f"{text}.{nonce}"


def _hmac_b64(auth_token: str, message: str) -> str:
    digest = hmac.new(auth_token.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def sign_v3(auth_token: str, url: str, nonce: str, params: Params | None = None, method: str = "POST") -> str:
    """The `X-Plivo-Signature-V3` value for a request to `url` with form/query `params`."""
    return _hmac_b64(auth_token, signing_string_v3(url, nonce, params, method))


def _candidates(signature_header: str | None) -> list[str]:
    if not signature_header:
        return []
    return [part.strip() for part in str(signature_header).split(",") if part.strip()]


def _matches(expected: str, header: str | None) -> bool:
    found = False
    for candidate in _candidates(header):  # compare with every candidate: no early exit on a match
        found |= hmac.compare_digest(candidate.encode("utf-8", "replace"), expected.encode("ascii"))
    return found


def verify_v3(
    auth_token: str,
    url: str,
    nonce: str | None,
    signature_header: str | None,
    params: Params | None = None,
    method: str = "POST",
) -> bool:
    """True when one of the comma-separated signatures in `signature_header` is Plivo's V3 signature
    of this request. False for a missing/empty token, nonce or header (never raises for those)."""
    if not auth_token or not nonce or not signature_header:
        return False
    try:
        expected = sign_v3(auth_token, url, nonce, params, method)
    except ValueError:
        return False
    return _matches(expected, signature_header)


def sign_v2(auth_token: str, url: str, nonce: str) -> str:
    """The older `X-Plivo-Signature-V2`: HMAC-SHA256 over the URL without its query, then the nonce."""
    base, _query = _split_url(url)
    return _hmac_b64(auth_token, base + nonce)


def verify_v2(auth_token: str, url: str, nonce: str | None, signature_header: str | None) -> bool:
    """True when `signature_header` holds the V2 signature (weaker than V3: see the module doc)."""
    if not auth_token or not nonce or not signature_header:
        return False
    return _matches(sign_v2(auth_token, url, nonce), signature_header)


def signature_headers(auth_token: str, url: str, params: Params | None = None, method: str = "POST",
                      *, nonce: str | None = None) -> dict[str, str]:
    """The two V3 headers for a request (a fresh nonce unless given): what the simulator sends."""
    nonce = nonce or new_nonce()
    return {NONCE_HEADER: nonce, SIGNATURE_HEADER: sign_v3(auth_token, url, nonce, params, method)}


__all__ = [
    "NONCE_HEADER",
    "NONCE_HEADER_V2",
    "SIGNATURE_HEADER",
    "SIGNATURE_HEADER_V2",
    "new_nonce",
    "sign_v2",
    "sign_v3",
    "signature_headers",
    "signing_string_v3",
    "verify_v2",
    "verify_v3",
]
