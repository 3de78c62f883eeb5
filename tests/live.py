"""Serve a Flask app on a free port of 127.0.0.1 in a background thread, for the tests that
need a real HTTP server (browser journeys, OpenID4VC round trips, fake providers).

Files are sent whole (see :mod:`wallet.devserver`), so a browser that resets a connection
cannot leave a file open for the garbage collector to warn about during a later test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from wallet.devserver import serve_in_thread


@contextmanager
def serving(app: Flask, name: str = "live-server") -> Iterator[str]:
    """Serve ``app`` until the block ends; yields its base URL (``http://127.0.0.1:PORT``)."""
    server, thread = serve_in_thread(app, name=name)
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
