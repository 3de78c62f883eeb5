"""The development server's file handling (``wallet/devserver.py``, behind ``tests/live.py`` and
the demo issuer): a file response never holds its file open past the call, so a client that
resets the connection cannot leak it."""

from __future__ import annotations

import io
from pathlib import Path

import requests
from flask import Flask, send_file
from werkzeug.test import EnvironBuilder

from tests.live import serving
from wallet.devserver import WholeFiles


def file_app(path: Path, opened: list[io.BufferedReader]) -> Flask:
    app = Flask(__name__)

    @app.get("/file")
    def file() -> object:
        handle = path.open("rb")
        opened.append(handle)
        return send_file(handle, mimetype="text/css")

    return app


def test_a_file_response_is_read_whole_and_closed_before_the_body_is_sent(tmp_path: Path) -> None:
    path = tmp_path / "style.css"
    path.write_bytes(b"body { color: black }\n" * 1000)
    opened: list[io.BufferedReader] = []
    environ = EnvironBuilder(path="/file").get_environ()
    statuses: list[str] = []
    body = WholeFiles(file_app(path, opened))(
        environ, lambda status, headers: statuses.append(status)
    )
    # Nothing iterated or closed the body yet, as when werkzeug's drain raises first.
    assert opened[0].closed
    assert statuses == ["200 OK"]
    assert b"".join(body) == path.read_bytes()


def test_served_files_arrive_whole(tmp_path: Path) -> None:
    path = tmp_path / "style.css"
    path.write_bytes(b"x" * 100_000)
    opened: list[io.BufferedReader] = []
    with serving(file_app(path, opened)) as url:
        answer = requests.get(f"{url}/file", timeout=10)
    assert answer.content == path.read_bytes()
    assert opened[0].closed
