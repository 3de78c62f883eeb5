"""Werkzeug's development server in a background thread, for the demo issuer that
``wallet demo`` starts and for the test suite's live servers.

Werkzeug closes a response's body only after it has drained the request socket. When the
client resets the connection first (a browser page closed while a stylesheet is still on its
way), that drain raises and an open static file is left to the garbage collector, with a
``ResourceWarning``. Apps served here therefore get a ``wsgi.file_wrapper`` that reads a file
whole and closes it at once: what these servers send are small stylesheets and scripts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import IO, Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server


def read_whole(file: IO[bytes], _block_size: int = 8192) -> list[bytes]:
    """A ``wsgi.file_wrapper``: the file's bytes as a one-item body, the file already closed."""
    with file:
        return [file.read()]


class WholeFiles:
    """WSGI middleware that makes file responses use :func:`read_whole`."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        environ["wsgi.file_wrapper"] = read_whole
        return self.app(environ, start_response)


def serve_in_thread(
    app: Flask, *, host: str = "127.0.0.1", port: int = 0, name: str = "dev-server"
) -> tuple[BaseWSGIServer, threading.Thread]:
    """Start serving ``app`` (``port=0``: any free port) from a daemon thread; stop it with
    ``server.shutdown()``."""
    server = make_server(host, port, WholeFiles(app), threaded=True)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    return server, thread
