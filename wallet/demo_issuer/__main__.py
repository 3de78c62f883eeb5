"""``python -m wallet.demo_issuer``: serve the demo OID4VCI issuer on this machine."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from werkzeug.serving import run_simple

from wallet.demo_issuer import create_app, trust_issuer


def main(argv: list[str] | None = None) -> None:
    """Parse the options, optionally trust the issuer in a wallet, and serve until Ctrl+C."""
    parser = argparse.ArgumentParser(prog="python -m wallet.demo_issuer", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on")
    parser.add_argument("--port", type=int, default=5001, help="port to serve on")
    parser.add_argument("--wallet-url", help="the wallet's address, for 'open in wallet' links")
    parser.add_argument(
        "--trust-home",
        type=Path,
        help="a wallet's VERIFIER_HOME (e.g. instance/verifier) in which to trust this issuer",
    )
    parser.add_argument(
        "--deferred-delay", type=int, default=10, help="seconds before deferred credentials"
    )
    args = parser.parse_args(argv)
    app = create_app({"WALLET_URL": args.wallet_url, "DEFERRED_DELAY": args.deferred_delay})
    if args.trust_home is not None:
        trust_issuer(app, args.trust_home, now=datetime.now(UTC))
    shown = f"[{args.host}]" if ":" in args.host else args.host
    signer = app.config["SIGNING_KEY"].controller
    print(f"Demo OpenID issuer at http://{shown}:{args.port}/ (signing as {signer})")
    run_simple(args.host, args.port, app, use_reloader=False, use_debugger=False, threaded=True)


if __name__ == "__main__":
    main()
