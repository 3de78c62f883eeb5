"""Serve a Flask app on a free port of 127.0.0.1 in a background thread, for the tests that
need a real HTTP server (browser journeys, OpenID4VP round trips).

Werkzeug's development server closes a response's body only after it has drained the request
socket; when the client resets the connection first (a browser page closed while a stylesheet
is still on its way), that drain raises and the open static file is left to the garbage
collector, whose ``ResourceWarning`` then fails whichever test happens to be running. The app
is therefore served with a ``wsgi.file_wrapper`` that reads a file whole and closes it at once,
so no response here ever holds a file open.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from flask import Flask
from werkzeug.serving import make_server


def _read_whole(file: IO[bytes], _block_size: int = 8192) -> list[bytes]:
    """The file's bytes as a one-item body, the file already closed."""
    with file:
        return [file.read()]


class _WholeFiles:
    """WSGI middleware: file responses are read whole (see the module docstring)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        environ["wsgi.file_wrapper"] = _read_whole
        return self.app(environ, start_response)


@contextmanager
def serving(app: Flask, name: str = "live-server") -> Iterator[str]:
    """Serve ``app`` until the block ends; yields its base URL (``http://127.0.0.1:PORT``)."""
    server = make_server("127.0.0.1", 0, _WholeFiles(app), threaded=True)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
