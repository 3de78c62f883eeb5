"""The employer's verifier in a real browser: reading an uploaded picture of a QR code, and
scanning one with the camera (Chromium's fake camera playing a video made from a QR image)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.browser.conftest import CHROMIUM_ARGS, TIMEOUT_MS, chromium_path
from tests.live import serving
from tests.verifier_web_support import compressed, credential, qr_png, verifier_app
from verifier import KeyPair

pytestmark = pytest.mark.browser

VERIFIED = "Verified: every check passed."


@pytest.fixture
def issuer() -> KeyPair:
    return KeyPair.generate("Ed25519")


@pytest.fixture
def verifier_url(tmp_path: Path, issuer: KeyPair) -> Iterator[str]:
    """The standalone verifier, trusting ``issuer``, served on a free port of 127.0.0.1."""
    app = verifier_app(
        tmp_path / "verifier",
        issuer,
        WTF_CSRF_ENABLED=True,
        TESTING=False,
        SECRET_KEY="browser test secret",
    )
    with serving(app, "verifier") as url:
        yield url


@pytest.fixture
def qr_text(issuer: KeyPair) -> str:
    """The QR text of a credential the verifier trusts: ``VP1:`` + Base45 of zlib."""
    document = credential(issuer, title="Camera Ready")
    return compressed(json.dumps(document, separators=(",", ":")).encode())


def write_y4m(
    png: bytes, path: Path, *, size: tuple[int, int] = (1280, 720), frames: int = 4
) -> None:
    """A short Y4M (4:2:0) video of the picture, centred on white, for Chromium's fake camera."""
    width, height = size
    picture = Image.open(io.BytesIO(png)).convert("L")
    scale = max(1, int(height * 0.92) // picture.width)  # whole pixels per module: crisp edges
    side = picture.width * scale
    picture = picture.resize((side, side), Image.NEAREST)
    canvas = Image.new("L", size, 255)
    canvas.paste(picture, ((width - side) // 2, (height - side) // 2))
    luma = canvas.tobytes()
    chroma = bytes([128]) * ((width // 2) * (height // 2))  # grey: no colour
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + luma + chroma + chroma)


def test_the_employer_uploads_a_picture_of_a_qr_code(
    browser: Any, verifier_url: str, qr_text: str, tmp_path: Path
):
    from playwright.sync_api import expect

    picture = tmp_path / "qr.png"
    picture.write_bytes(qr_png(qr_text))
    context = browser.new_context(base_url=verifier_url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.get_by_role("heading", name="Check a credential")).to_be_visible()
        page.set_input_files("#image", str(picture))
        page.get_by_role("button", name="Read the QR code").click()
        expect(page.locator("[data-verdict]")).to_have_text(VERIFIED)
        expect(page.get_by_role("heading", name="Camera Ready")).to_be_visible()
        expect(page.get_by_text("from a picture of a QR code")).to_be_visible()
    finally:
        context.close()


def scan_with_camera(browser: Any, base_url: str, qr_text: str, folder: Path) -> None:
    """Open the verifier at ``base_url`` in a Chromium whose camera plays a video of the QR
    code, start the camera, and see the credential verified."""
    from playwright.sync_api import expect

    video = folder / "qr.y4m"
    write_y4m(qr_png(qr_text, box_size=1), video)
    camera_browser = browser.browser_type.launch(
        executable_path=chromium_path(),
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera_browser.new_context(base_url=base_url, locale="en-GB")
        context.grant_permissions(["camera"], origin=base_url)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto("/verify/")
        start = page.get_by_role("button", name="Start the camera")
        expect(start).to_be_visible()  # the script shows the camera section
        start.click()
        page.wait_for_url("**/verify/paste", timeout=20_000)
        expect(page.locator("[data-verdict]")).to_have_text(VERIFIED)
        expect(page.get_by_role("heading", name="Camera Ready")).to_be_visible()
        expect(page.get_by_text("from a QR code scanned with the camera")).to_be_visible()
    finally:
        camera_browser.close()


def test_the_employer_scans_a_qr_code_with_the_camera(
    browser: Any, verifier_url: str, qr_text: str, tmp_path: Path
):
    scan_with_camera(browser, verifier_url, qr_text, tmp_path)


def test_the_camera_scan_works_inside_the_wallet_too(
    browser: Any, live_server: Any, issuer: KeyPair, qr_text: str, tmp_path: Path
):
    live_server.trust(issuer, "Demo University")
    scan_with_camera(browser, live_server.url, qr_text, tmp_path)


def test_the_employer_opens_a_learners_share_link(page: Any, live_server: Any):
    """A real wallet share, opened from the wallet's own /verify page by its link."""
    from datetime import UTC, datetime, timedelta

    from playwright.sync_api import expect

    from tests.wallet.sharing_support import give_credentials
    from wallet.auth import register_user
    from wallet.db import db
    from wallet.models import Credential
    from wallet.sharing.links import create_share

    password = "correct horse battery staple"
    app = live_server.app
    with app.test_request_context("/"):
        learner = register_user("ada@example.org", password, "Ada")
        db.session.commit()
        learner_id = learner.id
    ids = give_credentials(
        app, learner_id, KeyPair.generate("Ed25519"), ("Data Analysis Basics", "Robot Builder")
    )
    with app.test_request_context("/"):
        learner = db.session.get(type(learner), learner_id)
        credentials = [db.session.get(Credential, i) for i in ids]
        now = datetime.now(UTC)
        _share, token = create_share(
            learner,
            credentials,
            password,
            title="For Acme",
            expires_at=now + timedelta(days=1),
            pin="2468",
            origin=live_server.url,
            now=now,
        )
        db.session.commit()

    page.goto("/verify/")
    page.fill("#url", f"{live_server.url}/s/{token}")
    page.get_by_role("button", name="Open and check").click()
    expect(page.get_by_text("This link has a PIN")).to_be_visible()  # asked, not guessed
    page.fill("#pin", "2468")
    page.get_by_role("button", name="Open and check").click()
    expect(page.locator("[data-verdict]")).to_have_text(VERIFIED)
    expect(page.get_by_role("heading", name="Robot Builder")).to_be_visible()
    holder = page.locator("table", has=page.get_by_text("Holder binding"))
    expect(holder.locator('[data-check="challenge"]')).to_contain_text("Passed")
    expect(holder.locator('[data-check="domain"]')).to_contain_text("Passed")
    expect(holder.locator('[data-check="holder_binding"]')).to_contain_text("Passed")
