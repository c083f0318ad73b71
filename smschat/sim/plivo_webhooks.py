"""The Plivo simulator's outgoing webhooks: inbound texts and status callbacks, signed like Plivo's.

Every post carries `X-Plivo-Signature-V3` / `X-Plivo-Signature-V3-Nonce` (HMAC-SHA256 with the
account's auth token over the URL, the sorted parameters and the nonce: `smschat.domain.
plivo_signature`) and the older `X-Plivo-Signature-V2` / `-V2-Nonce`. POST sends a form; GET puts
the fields in the query string (and signs that URL).

- Inbound (to the application's `message_url`): `From`, `To`, `Type` (sms|mms), `MessageUUID`,
  `Units`, `TotalRate`, `TotalAmount`, `MessageIntent` (optout|optin|help|""), `PowerpackUUID`,
  and `Text` for SMS; for MMS `Body` (the text), `MediaCount` and `Media1`..`MediaN`.
- Status (to the send's `url`): `MessageUUID`, `To`, `From`, `Type`, `Status` (queued, sent, failed,
  delivered, undelivered), `Units`, `TotalRate`, `TotalAmount`, `MCC`, `MNC`, `ErrorCode` (only for
  failed/undelivered), `ParentMessageUUID`, `PartInfo`, `Sequence`, `MessageTime`, `QueuedTime`,
  `SentTime`, `DeliveryReportTime`, `PowerpackUUID` — one post at queued, at sent (or failed) and at
  the carrier's answer.

A post that fails (no connection, or not 2xx) is tried again `retries` times, `retry_delay` seconds
apart (divided by speed); `duplicate` (0..1) posts a delivery twice on purpose, as providers do
when an acknowledgement is lost. Every attempt is recorded in `deliveries`.
"""

from __future__ import annotations

import heapq
import random
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from smschat.domain.plivo_signature import (
    NONCE_HEADER,
    NONCE_HEADER_V2,
    SIGNATURE_HEADER,
    SIGNATURE_HEADER_V2,
    new_nonce,
    sign_v2,
    sign_v3,
)
from smschat.sim.plivo_records import PlivoRecord, callback_time

if TYPE_CHECKING:
    from smschat.sim.plivo_account import PlivoAccount

TIMEOUT = 2.0


@dataclass
class Delivery:
    kind: str  # "inbound" | "status"
    url: str
    method: str
    fields: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 0  # HTTP status of the answer; 0 = no answer


def inbound_fields(record: PlivoRecord, *, intent: str = "") -> dict[str, str]:
    fields = {
        "From": record.customer,
        "To": record.account,
        "Type": record.kind,
        "MessageUUID": record.uuid,
        "Units": str(record.units),
        "TotalRate": record.rate,
        "TotalAmount": record.amount("received"),
        "MessageIntent": intent,
        "PowerpackUUID": "",
    }
    if record.kind == "mms":
        fields["Body"] = record.text
        fields["MediaCount"] = str(len(record.media))
        for index, url in enumerate(record.media, start=1):
            fields[f"Media{index}"] = url
    else:
        fields["Text"] = record.text
    return fields


def status_fields(record: PlivoRecord, state: str, code: str, sequence: int) -> dict[str, str]:
    fields = {
        "MessageUUID": record.uuid,
        "To": record.customer,
        "From": record.account,
        "Type": record.kind,
        "Status": state,
        "Units": str(record.units),
        "TotalRate": record.rate,
        "TotalAmount": record.amount(state),
        "MCC": "310",
        "MNC": "260",
        "ParentMessageUUID": record.parent or record.uuid,
        "PartInfo": f"{record.part} of {record.of}",
        "Sequence": str(sequence),
        "MessageTime": callback_time(record.at),
        "QueuedTime": callback_time(record.at),
        "SentTime": callback_time(record.sent_at) if state != "queued" else "",
        "DeliveryReportTime": callback_time(record.final_at) if state in ("delivered", "undelivered") else "",
        "PowerpackUUID": record.powerpack,
    }
    if state in ("failed", "undelivered") and code:
        fields["ErrorCode"] = code
    return fields


def signed_request(auth_token: str, url: str, method: str, fields: dict[str, str]) -> tuple[str, bytes | None, dict[str, str]]:
    """(url to call, body, headers) of one signed webhook."""
    method = method.upper()
    nonce, nonce2 = new_nonce(), new_nonce()
    if method == "GET":
        sep = "&" if urllib.parse.urlsplit(url).query else "?"
        target = url + sep + urllib.parse.urlencode(fields)
        signature, body = sign_v3(auth_token, target, nonce, None, "GET"), None
    else:
        target = url
        signature, body = sign_v3(auth_token, url, nonce, fields, "POST"), urllib.parse.urlencode(fields).encode()
    headers = {
        SIGNATURE_HEADER: signature,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER_V2: sign_v2(auth_token, url, nonce2),
        NONCE_HEADER_V2: nonce2,
        "User-Agent": "PlivoHTTP/1.0 (smschat simulator)",
    }
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return target, body, headers


def deliver(url: str, body: bytes | None, headers: dict[str, str], method: str, timeout: float = TIMEOUT) -> int:
    """Make one HTTP request; its status (0 when there was no answer)."""
    request = urllib.request.Request(url, data=body, method=method.upper(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - test server
            response.read(65536)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except Exception:  # noqa: BLE001 - best effort, like the real thing
        return 0


class Webhooks:
    """Schedules and posts the account's webhooks from one background thread."""

    def __init__(
        self,
        account: PlivoAccount,
        *,
        retries: int = 2,
        retry_delay: float = 1.0,
        duplicate: float = 0.0,
        rng_seed: int | None = None,
        poll: float = 0.02,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.account = account
        self.retries = retries
        self.retry_delay = retry_delay
        self.duplicate = duplicate
        self.rng = random.Random(rng_seed)
        self._clock = clock or account.now
        self._poll = poll
        self._heap: list[tuple[float, int, Delivery, int]] = []
        self._counter = 0
        self._sequence: dict[str, int] = {}
        self._wake = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None
        self.deliveries: list[Delivery] = []
        account.webhooks = self

    # ------------------------------------------------------------------ scheduling
    def _push(self, due: float, delivery: Delivery, attempt: int = 0) -> None:
        with self._wake:
            self._counter += 1
            heapq.heappush(self._heap, (due, self._counter, delivery, attempt))
            self._wake.notify_all()

    def post_inbound(self, record: PlivoRecord, url: str, method: str = "POST", *, intent: str = "") -> None:
        self._push(self._clock(), Delivery("inbound", url, method, inbound_fields(record, intent=intent)))

    def schedule_status(self, records: list[PlivoRecord]) -> None:
        for record in records:
            if not record.url or record.inbound:
                continue
            events = [(record.at, "queued", "")]
            if record.outcome in ("failed", "rejected"):
                events.append((record.sent_at, record.outcome, record.error_code))
            else:
                events.append((record.sent_at, "sent", ""))
                if record.outcome in ("delivered", "undelivered"):
                    events.append((record.final_at, record.outcome, record.error_code))
            for due, state, code in events:
                sequence = self._sequence.get(record.uuid, 0) + 1
                self._sequence[record.uuid] = sequence
                fields = status_fields(record, state, code if state != "delivered" else "", sequence)
                self._push(due, Delivery("status", record.url, record.method, fields))

    @property
    def pending(self) -> int:
        with self._wake:
            return len(self._heap)

    # ------------------------------------------------------------------ the thread
    def start(self) -> None:
        if self._thread is None:
            self._stopped = False
            self._thread = threading.Thread(target=self._run, name="plivo-sim-webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=3)
            self._thread = None

    def _run(self) -> None:
        while True:
            with self._wake:
                if self._stopped:
                    return
                now = self._clock()
                due = []
                while self._heap and self._heap[0][0] <= now:
                    due.append(heapq.heappop(self._heap))
                if not due:
                    self._wake.wait(self._poll)
                    continue
            for _when, _n, delivery, attempt in due:
                self._attempt(delivery, attempt)

    def _attempt(self, delivery: Delivery, attempt: int) -> None:
        status = self.send_now(delivery)
        ok = 200 <= status < 300
        if delivery.kind == "inbound":
            self.account.set_forwarded(delivery.fields["MessageUUID"], ok)
        if ok and self.duplicate and self.rng.random() < self.duplicate:
            self.send_now(Delivery(delivery.kind, delivery.url, delivery.method, dict(delivery.fields)))
        if not ok and attempt < self.retries:
            delay = self.retry_delay / (self.account.speed or 1.0)
            self._push(self._clock() + delay, Delivery(delivery.kind, delivery.url, delivery.method,
                                                       dict(delivery.fields)), attempt + 1)

    def send_now(self, delivery: Delivery) -> int:
        """Sign and make one attempt of `delivery` now; records it; returns the HTTP status."""
        target, body, headers = signed_request(self.account.auth_token, delivery.url, delivery.method, delivery.fields)
        delivery.headers = headers
        delivery.status = deliver(target, body, headers, delivery.method)
        self.deliveries.append(delivery)
        return delivery.status
