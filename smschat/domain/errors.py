"""Typed errors that say what happened. Raised by providers, understood by sync, UI and CLI.

Every error carries a message a person can read; server-supplied text is kept as data in
`server_message` and is sanitised before it is shown.
"""

from __future__ import annotations

from smschat.domain.sanitize import sanitize_line


class SmsError(Exception):
    """Base of every error smschat reports to a person."""

    retryable: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(SmsError):
    """Configuration is missing or wrong. `where` names the file and key."""

    def __init__(self, message: str, *, path: str = "", key: str = "") -> None:
        where = ":".join(p for p in (path, key) if p)
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.key = key


class AuthError(SmsError):
    """The server rejected the credentials (HTTP 401/403)."""


class NetworkError(SmsError):
    """The server could not be reached, or the connection broke."""

    retryable = True


class RequestTimeout(NetworkError):
    """No answer in time."""


class SendOutcomeUnknown(NetworkError):
    """A send went out but no answer came back: it may or may not have been queued.

    Never retried automatically; the sender looks for the message before offering a retry.
    """

    retryable = False


class ServerError(SmsError):
    """The server answered with a 5xx status."""

    retryable = True

    def __init__(self, message: str, *, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class RateLimited(ServerError):
    """HTTP 429: wait `retry_after` seconds (when the server said) and try again."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message, status_code=429)
        self.retry_after = retry_after


class ApiError(SmsError):
    """The API answered `status: failure`; `server_message` is its own words (untrusted data).

    `kind` classifies the documented failures: "unsubscribed", "landline", "bad_from", "not_found",
    "invalid", or "other".
    """

    def __init__(self, server_message: str, *, kind: str = "other", status_code: int = 200) -> None:
        clean = sanitize_line(server_message) or "the server reported a failure without a reason"
        super().__init__(clean)
        self.server_message = server_message
        self.kind = kind
        self.status_code = status_code


class MalformedResponse(SmsError):
    """The server's answer could not be understood (bad JSON/XML, wrong types, missing fields)."""


class Unsupported(SmsError):
    """The provider cannot do this at all (Plivo has no conversation endpoint and no filter on the
    customer's number). Callers fall back to what the local store holds; retrying cannot help."""


class NotFound(ApiError):
    """The message id (or other resource) does not exist."""

    def __init__(self, server_message: str, *, status_code: int = 404) -> None:
        super().__init__(server_message, kind="not_found", status_code=status_code)


def classify_failure(server_message: str) -> str:
    """Map a Plum failure message onto a kind (see `ApiError`)."""
    text = server_message.lower()
    if "unsubscribed" in text or "stop" in text.split():
        return "unsubscribed"
    if "not a mobile" in text or "landline" in text:
        return "landline"
    if "from" in text and ("sms number" in text or "not allowed" in text or "invalid" in text or "not authorized" in text):
        return "bad_from"
    if "not found" in text or "no such" in text:
        return "not_found"
    if "invalid" in text or "required" in text or "missing" in text:
        return "invalid"
    return "other"
