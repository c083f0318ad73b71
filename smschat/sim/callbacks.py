"""Best-effort outgoing POSTs: result URLs (status changes) and the inbound application URL.

Both are form posts with a short timeout, made from background threads; failures are ignored, as a
real provider's would be from the client's point of view.

- result URL: when a queued record turns "sent", POST `sms_message_id`, `status=sent`; when its
  delivery status becomes known, POST again with `status=sent` and `delivery_status` (delivered,
  undelivered or unconfirmed).
- application URL: each inbound message is POSTed as `sms_message_id`, `to`, `from`, `body`. The
  reply may be Plum's XML (`<reply><sms_message>text</sms_message>...</reply>`): each `sms_message`
  is sent back to the customer from the number they texted.
"""

from __future__ import annotations

import heapq
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smschat.sim.account import SimAccount
    from smschat.sim.records import SimMessage

TIMEOUT = 2.0


def post_form(url: str, fields: dict[str, str], timeout: float = TIMEOUT) -> bytes | None:
    """POST a form; the response body, or None on any failure."""
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=data, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - test server
            return response.read(65536)
    except Exception:  # noqa: BLE001 - best effort
        return None


def _replies(payload: bytes | None) -> list[str]:
    if not payload or b"sms_message" not in payload:
        return []
    try:
        from defusedxml.ElementTree import fromstring

        root = fromstring(payload)
    except Exception:  # noqa: BLE001 - not XML: nothing to send
        return []
    texts = []
    for element in root.iter("sms_message"):
        body = element.find("body")
        text = (body.text if body is not None else element.text) or ""
        if text.strip():
            texts.append(text.strip())
    return texts


def post_inbound(url: str, record: SimMessage, account: SimAccount) -> None:
    """POST an inbound message to the application URL in a background thread."""

    def run() -> None:
        fields = {"sms_message_id": record.id, "to": record.to_number, "from": record.from_number, "body": record.body}
        for text in _replies(post_form(url, fields)):
            try:
                account.queue(record.from_number, record.to_number, text)
            except Exception:  # noqa: BLE001 - a refused reply is dropped
                pass

    threading.Thread(target=run, name="sim-app-url", daemon=True).start()


class ResultNotifier:
    """Posts status changes of queued records to their result URLs when they become due."""

    def __init__(self, clock: Callable[[], float], poll: float = 0.05) -> None:
        self._clock = clock
        self._poll = poll
        self._heap: list[tuple[float, int, str, dict[str, str]]] = []
        self._counter = 0
        self._wake = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None
        self.posted: list[tuple[str, dict[str, str]]] = []  # (url, fields) of every post attempted

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sim-result-url", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def schedule(self, records: list[SimMessage]) -> None:
        with self._wake:
            for record in records:
                if not record.result_url or record.inbound:
                    continue
                sent = {"sms_message_id": record.id, "status": "sent"}
                final = {**sent, "delivery_status": record.outcome}
                for due, fields in ((record.sent_at, sent), (record.final_at, final)):
                    self._counter += 1
                    heapq.heappush(self._heap, (due, self._counter, record.result_url, fields))
            self._wake.notify_all()

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
            for _when, _n, url, fields in due:
                self.posted.append((url, fields))
                post_form(url, fields)
