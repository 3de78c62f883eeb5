"""A wallet server in its own process, for tests that kill it or run two at once.

``python -m tests.security.serve`` builds the app from ``WALLET_*`` variables, serves it with
werkzeug on a free port of 127.0.0.1 and prints the port. When ``PAUSE_FILENAME`` is set, an
import of a file with that name stops after its rows are written but before they are
committed, touches ``PAUSE_MARK`` and waits: the moment a test kills the process.
``PAUSE_PATH`` does the same for any credential a request to that path writes (a restore).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.serving import make_server


def pause_mid_import(session: Session, _context: Any) -> None:
    """After the flush of a paused file's credentials, before the commit: mark, then wait."""
    from wallet.models import Credential

    name = os.environ.get("PAUSE_FILENAME")
    if name and any(isinstance(o, Credential) and o.filename == name for o in session.new):
        _mark_and_wait()


def pause_before_commit(session: Session) -> None:
    """At the commit of a request to ``PAUSE_PATH``, its rows written: mark, then wait."""
    from flask import has_request_context, request

    path = os.environ.get("PAUSE_PATH")
    if path and has_request_context() and request.path == path:
        session.flush()
        _mark_and_wait()


def _mark_and_wait() -> None:
    Path(os.environ["PAUSE_MARK"]).write_text(str(os.getpid()))
    time.sleep(120)


def main() -> None:
    from wallet import create_app

    event.listen(Session, "after_flush", pause_mid_import)
    event.listen(Session, "before_commit", pause_before_commit)
    app = create_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    sys.stdout.write(f"{server.server_port}\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
