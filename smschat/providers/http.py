"""Shared HTTP plumbing for providers: one `httpx.AsyncClient` per provider, timeouts, error mapping.

Providers call `send()` for every request. It turns every transport failure into a typed error from
`smschat.domain.errors`:

- nothing went out (connect refused, DNS, connect/pool timeout) -> `NetworkError` / `RequestTimeout`;
- the request may have reached the server but no answer came back (read/write timeout, connection
  dropped, broken response) -> `SendOutcomeUnknown` when the request was a send (`sending=True`),
  else `RequestTimeout` / `NetworkError`.

`check_http_status()` maps the HTTP status line (401/403, 429, 5xx ...) when the body held no envelope
the provider could use. Nothing here retries: the sync layer owns retry policy.

Credentials go into `httpx.BasicAuth` only; no message built here contains them.
"""

from __future__ import annotations

import email.utils
import ipaddress
import math
import ssl
from datetime import UTC, datetime

import httpx

from smschat.domain.errors import (
    ApiError,
    AuthError,
    ConfigError,
    MalformedResponse,
    NetworkError,
    RateLimited,
    RequestTimeout,
    SendOutcomeUnknown,
    ServerError,
)
from smschat.domain.sanitize import sanitize_line

#: Seconds to wait for a TCP/TLS connection; the read timeout comes from the profile.
CONNECT_TIMEOUT = 5.0
USER_AGENT = "smschat/0.1"


def make_timeout(read: float) -> httpx.Timeout:
    """Connect within `CONNECT_TIMEOUT` (or `read`, if shorter); read, write and pool within `read`."""
    if not (isinstance(read, (int, float)) and math.isfinite(read) and read > 0):
        raise ValueError(f"timeout must be a positive number of seconds, not {read!r}")
    return httpx.Timeout(connect=min(CONNECT_TIMEOUT, float(read)), read=read, write=read, pool=read)


def make_verify(ca_bundle: str = "") -> ssl.SSLContext | bool:
    """TLS verification: always on; with `ca_bundle`, against that PEM file's CAs only."""
    if not ca_bundle:
        return True
    try:
        return ssl.create_default_context(cafile=ca_bundle)
    except (OSError, ssl.SSLError, ValueError) as exc:
        raise ConfigError(f"cannot use {ca_bundle!r} as a CA bundle: {sanitize_line(str(exc), limit=120)}",
                          key="ca_bundle") from None


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_client(base_url: str, username: str, password: str, *, timeout: float,
                ca_bundle: str = "") -> httpx.AsyncClient:
    """The one client a provider uses for all its requests (connection pooling, auth, timeouts).

    The standard proxy variables (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY) and SSL_CERT_FILE /
    SSL_CERT_DIR are honoured (httpx `trust_env`; httpx 0.28 does not read .netrc, and the explicit
    basic auth would win anyway), except that a loopback base URL (a local simulator) never goes
    through a proxy.
    """
    host = httpx.URL(base_url).host
    mounts: dict[str, httpx.AsyncBaseTransport | None] = {}
    if host and _is_loopback(host):
        mounts[f"all://{'[' + host + ']' if ':' in host else host}"] = None
    return httpx.AsyncClient(
        base_url=base_url.rstrip("/") + "/",
        auth=httpx.BasicAuth(username, password),
        timeout=make_timeout(timeout),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
        verify=make_verify(ca_bundle),
        trust_env=True,
        mounts=mounts or None,
    )


def host_of(url: str | httpx.URL) -> str:
    """`host:port` of a URL, never its user-info (which could hold a password)."""
    try:
        parsed = httpx.URL(str(url))
    except Exception:
        return "the server"
    host = parsed.host or "the server"
    return f"{host}:{parsed.port}" if parsed.port else host


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text if text else type(exc).__name__


async def send(client: httpx.AsyncClient, request: httpx.Request, *, sending: bool = False) -> httpx.Response:
    """Send one request and read the whole body; map transport failures onto typed errors.

    `sending=True` marks a request that changes state on the server (queue a message): once it may
    have left this machine, a failure means the outcome is unknown, never "not sent".
    """
    where = host_of(request.url)
    try:
        return await client.send(request)
    except httpx.ConnectTimeout as exc:  # nothing went out
        raise RequestTimeout(f"timed out connecting to {where}") from exc
    except httpx.PoolTimeout as exc:  # nothing went out
        raise RequestTimeout(f"timed out waiting for a free connection to {where}") from exc
    except httpx.ConnectError as exc:
        raise NetworkError(f"could not connect to {where}: {_reason(exc)}") from exc
    except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
        if sending:
            raise SendOutcomeUnknown(
                f"no answer from {where} in time: the message may or may not have been queued"
            ) from exc
        raise RequestTimeout(f"no answer from {where} in time") from exc
    except httpx.TimeoutException as exc:  # any other timeout: be conservative for sends
        if sending:
            raise SendOutcomeUnknown(f"timed out talking to {where}: the message may or may not have been queued") from exc
        raise RequestTimeout(f"timed out talking to {where}") from exc
    except httpx.DecodingError as exc:  # a response arrived, but its content encoding is broken
        if sending:
            raise SendOutcomeUnknown(
                f"the answer from {where} could not be decoded: the message may or may not have been queued"
            ) from exc
        raise MalformedResponse(f"the answer from {where} could not be decoded: {_reason(exc)}") from exc
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.CloseError) as exc:
        if sending:
            raise SendOutcomeUnknown(
                f"the connection to {where} broke before an answer came: "
                "the message may or may not have been queued"
            ) from exc
        raise NetworkError(f"the connection to {where} broke: {_reason(exc)}") from exc
    except httpx.UnsupportedProtocol as exc:
        raise NetworkError(f"cannot talk to {where}: {_reason(exc)} (check base_url)") from exc
    except httpx.TransportError as exc:  # proxy errors, local protocol errors: nothing usable went out
        raise NetworkError(f"request to {where} failed: {_reason(exc)}") from exc
    except httpx.RequestError as exc:  # anything else httpx may add: conservative for sends
        if sending:
            raise SendOutcomeUnknown(f"request to {where} failed: the message may or may not have been queued") from exc
        raise NetworkError(f"request to {where} failed: {_reason(exc)}") from exc
    except httpx.InvalidURL as exc:
        raise NetworkError(f"invalid URL for {where}: {_reason(exc)} (check base_url)") from exc


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent/bad."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(seconds) or seconds < 0:
            return None
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, delta)


def check_http_status(response: httpx.Response, *, server_message: str = "") -> None:
    """Raise the typed error for a non-2xx answer; return for 2xx.

    `server_message` is the envelope's error text, when the body had one (untrusted data: it is
    sanitised here before it becomes part of a message).
    """
    code = response.status_code
    if 200 <= code < 300:
        return
    where = host_of(response.request.url)
    said = sanitize_line(server_message, limit=300) if server_message else ""
    detail = f": {said}" if said else ""
    if code in (401, 403):
        what = "rejected the username or password" if code == 401 else "refused access for this account"
        raise AuthError(f"{where} {what} (HTTP {code}){detail}")
    if code == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        wait = f"; retry after {retry_after:g} s" if retry_after is not None else ""
        raise RateLimited(f"{where} is rate limiting requests (HTTP 429){wait}{detail}", retry_after=retry_after)
    if code >= 500:
        raise ServerError(f"{where} had an internal problem (HTTP {code}){detail}", status_code=code)
    if 300 <= code < 400:
        target = response.headers.get("Location", "")
        to = f" to {host_of(target)}" if target else ""
        raise MalformedResponse(f"{where} answered with a redirect (HTTP {code}){to}: check base_url")
    if server_message:
        raise ApiError(server_message, status_code=code)
    hint = " (check base_url)" if code in (404, 405) else ""
    raise ApiError(f"{where} answered HTTP {code} {response.reason_phrase}{hint}".rstrip(), status_code=code)
