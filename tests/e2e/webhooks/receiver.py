"""A webhook receiver for the tests: an HTTP server on 127.0.0.1, on a thread of its own, that keeps every
POST (headers, exact body bytes) and answers 500 to the first ``fail`` of them, 204 after."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from attrs import frozen


@frozen
class Post:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int
    received_at: float      # time.time()


class Receiver:
    def __init__(self, fail: int = 0) -> None:
        self.fail = fail
        self.posts: list[Post] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:   # the name http.server calls
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    status = 500 if receiver.fail > 0 else 204
                    receiver.fail -= 1 if receiver.fail > 0 else 0
                    receiver.posts.append(Post(self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                                               status, time.time()))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="webhook-receiver", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    def received(self) -> list[Post]:
        with self._lock:
            return list(self.posts)

    async def until(self, holds: Callable[[list[Post]], bool], seconds: float = 20.0) -> list[Post]:
        """The posts once ``holds`` is true of them (fails after ``seconds``)."""
        deadline = time.monotonic() + seconds
        while True:
            posts = self.received()
            if holds(posts):
                return posts
            assert time.monotonic() < deadline, [(p.headers.get("charge-event-type"), p.answered) for p in posts]
            await asyncio.sleep(0.05)
