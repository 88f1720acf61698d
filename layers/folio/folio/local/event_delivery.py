"""Change events on a laptop (DESIGN §11): what the embedded EventBridge accepted, printed and, with
``folio local --events-url URL``, POSTed to that URL as a CloudEvent in structured mode
(``application/cloudevents+json``), one request per event, in the order the bus took them."""

from __future__ import annotations

import io
import json
import queue
import sys
import threading
import urllib.request
from collections.abc import Callable
from typing import Any

PUT_EVENTS = "AWSEvents.PutEvents"


class PutEventsTap:
    """WSGI middleware around moto: hands every event a PutEvents call put on a bus (and the bus
    accepted) to ``callback(bus, source, detail_type, detail)``."""

    def __init__(self, app, callback: Callable[[str, str, str, str], None]):
        self.app = app
        self.callback = callback

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET") != PUT_EVENTS:
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(request)
        seen: dict[str, Any] = {}

        def capture(status, headers, exc_info=None):
            seen["status"] = status
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = b"".join(self.app(environ, capture))
        if str(seen.get("status", "")).startswith("200"):
            try:
                entries = json.loads(request).get("Entries", [])
                results = json.loads(body).get("Entries", [])
            except ValueError:
                entries, results = [], []
            for entry, result in zip(entries, results):
                if not result.get("ErrorCode"):
                    self.callback(entry.get("EventBusName", "default"), entry.get("Source", ""),
                                  entry.get("DetailType", ""), entry.get("Detail", "{}"))
        return [body]


class EventDelivery:
    """Prints each event (and POSTs it to ``url``) on a thread of its own, in order: the embedded AWS,
    which serves one request at a time, never waits for a slow receiver."""

    def __init__(self, url: str | None = None, out=None):
        self.url = url
        self.out = out or sys.stdout
        self._queue: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._deliver, name="change-events", daemon=True)
        self._thread.start()

    def __call__(self, bus: str, source: str, detail_type: str, detail: str) -> None:
        self._queue.put((bus, detail))

    def _deliver(self) -> None:
        while (item := self._queue.get()) is not None:
            bus, detail = item
            try:
                event = json.loads(detail)
            except ValueError:
                event = {"detail": detail}
            try:
                # one write with its newline: print() writes the line and its end apart, and another
                # thread's log line could land between them
                self.out.write(f"EVENT {bus} {json.dumps(event, separators=(',', ':'), ensure_ascii=False)}\n")
                self.out.flush()
            except Exception as error:  # noqa: BLE001 - a closed stdout must not stop the POSTs
                print(f"folio local: printing an event failed: {error!r}", file=sys.stderr, flush=True)
            if self.url:
                self._post(detail)

    def _post(self, detail: str) -> None:
        request = urllib.request.Request(self.url, data=detail.encode(), method="POST",
                                         headers={"Content-Type": "application/cloudevents+json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the developer's own URL
                answer.read()
        except Exception as error:  # noqa: BLE001 - a receiver's failure never stops the delivery of the next
            print(f"folio local: POST of an event to {self.url} failed: {error!r}", file=sys.stderr, flush=True)

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(5)
