"""A real SMTP server on a local port for tests, small enough to read in one sitting.

It answers the commands Django's SMTP backend sends (no TLS, no login) and records each
connection's recipients in the order the connections were accepted. The first `silent`
connections are accepted and never answered: the greeting never comes, as with the
server that once held the worker for 150 s. A silent connection is closed after
`give_up_after` seconds (or when the server stops), so code without a timeout fails in
a test instead of hanging it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from types import TracebackType

from cellclinic.core.outbox import outbox_enqueue


def queue_email(*, to: str, urgent: bool = False) -> int:
    """An e-mail in the outbox: a serious adverse-event notice when urgent."""
    return outbox_enqueue(
        kind="serious_adverse_event" if urgent else "confirmation",
        to=to,
        language="en",
        subject="Serious adverse event" if urgent else "Your inquiry",
        body="See the record.",
        urgent=urgent,
    ).pk


class SmtpServer:
    def __init__(self, *, silent: int = 0, give_up_after: float = 30.0) -> None:
        self.silent = silent
        self.give_up_after = give_up_after
        self.connections: list[list[str]] = []  # recipients, one list per connection
        self.changed = threading.Condition()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.url = f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> SmtpServer:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._listener.close()

    def wait_for(self, found: Callable[[list[list[str]]], bool], timeout: float = 60.0) -> bool:
        """Wait until `found` is true of the recorded connections (a guard, not a measure)."""
        with self.changed:
            return self.changed.wait_for(lambda: found(self.connections), timeout=timeout)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self.changed:
                index = len(self.connections)
                self.connections.append([])
                self.changed.notify_all()
            target = self._hold if index < self.silent else self._answer
            threading.Thread(target=target, args=(conn, index), daemon=True).start()

    def _hold(self, conn: socket.socket, index: int) -> None:
        with conn:
            self._stop.wait(self.give_up_after)

    def _answer(self, conn: socket.socket, index: int) -> None:
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 test ready\r\n")
            for raw in lines:
                verb = raw[:4].upper()
                if verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                if verb == b"RCPT":
                    address = raw.decode().split(":", 1)[1].strip().strip("<>")
                    with self.changed:
                        self.connections[index].append(address)
                        self.changed.notify_all()
                if verb == b"DATA":
                    conn.sendall(b"354 go on\r\n")
                    for body in lines:
                        if body == b".\r\n":
                            break
                conn.sendall(b"250 ok\r\n")
