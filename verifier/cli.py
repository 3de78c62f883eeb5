"""The ``verifier`` command: verify files, manage the trust store, refresh the cache, demo."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from verifier.errors import TrustListError, VerificationError

# The engine is imported by the commands that use it, so ``verifier --help`` and each command
# load only what they need.
if TYPE_CHECKING:
    from verifier.cache import DocumentCache
    from verifier.report import Report
    from verifier.trust import TrustStore

TRUSTED_LISTS_FILE = "trusted-lists.json"

MAX_FILE = 60 * 1024 * 1024
# By the value of verifier.report.Status (a StrEnum, so a Status finds its mark here).
_MARK = {
    "passed": "ok  ",
    "failed": "FAIL",
    "unknown": " ?  ",
    "not_applicable": " -  ",
}


def data_dir() -> Path:
    """Where the trust store and cache live: ``$VERIFIER_HOME`` or the user data folder."""
    env = os.environ.get("VERIFIER_HOME")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "learner-wallet" / "verifier"


def _now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SystemExit(f"--now: {text!r} is not an ISO 8601 date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


PROCESSED_CONTEXTS_FILE = "processed-contexts.pickle"


def _home(args: argparse.Namespace) -> Path:
    """The verifier's home folder: ``--home``, else ``$VERIFIER_HOME`` or its default."""
    return Path(args.home) if args.home else data_dir()


def _stores(args: argparse.Namespace) -> tuple[TrustStore, DocumentCache]:
    from verifier.cache import DocumentCache
    from verifier.trust import TrustStore

    home = _home(args)
    if getattr(args, "trust_any_issuer_insecure", False):
        trust = TrustStore.accept_any_issuer_insecure()
    else:
        trust = TrustStore.from_file(home / "trust.json")
    return trust, DocumentCache.open(home / "cache")


def _trusted_lists(args: argparse.Namespace) -> Any:
    home = _home(args)
    path = home / TRUSTED_LISTS_FILE
    if not path.exists():
        return None
    from verifier.trustlists import TrustedListStore  # XML/X.509 stack: only when lists exist

    return TrustedListStore.from_file(path)


def print_report(report: Report, *, name: str, out: TextIO | None = None, indent: str = "") -> None:
    """Print a report in plain language, one line per check."""
    from verifier.dates import human
    from verifier.summary import LangText

    out = out or sys.stdout
    print(f"{indent}{name}: {report.headline}", file=out)
    title = LangText.of(report.summary.get("title")).pick()
    if title:
        issuer = report.summary.get("issuer") or {}
        name = LangText.of(issuer.get("name")).pick() or issuer.get("id")
        print(f"{indent}  {title} — issued by {name}", file=out)
    for check in report.checks:
        date = f" (data of {human(check.data_date)})" if check.data_date else ""
        print(f"{indent}  [{_MARK[check.status]}] {check.id}: {check.message}{date}", file=out)
    for i, inner in enumerate(report.credentials, 1):
        print_report(inner, name=f"credential {i}", out=out, indent=indent + "    ")


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify each file and print its report; exit 0 only when all are verified."""
    from verifier import documents
    from verifier.pipeline import verify, verify_presentation

    trust, cache = _stores(args)
    lists = _trusted_lists(args)
    now = _now(args.now)
    # JSON-LD contexts processed by earlier runs (see documents.load_processed_contexts).
    processed = _home(args) / PROCESSED_CONTEXTS_FILE
    documents.load_processed_contexts(processed)
    known = documents.processed_context_count()
    reports: list[tuple[str, Report]] = []
    for name in args.files:
        path = Path(name)
        try:
            if path.stat().st_size > MAX_FILE:
                print(
                    f"{name}: refused: the file is larger than {MAX_FILE // 2**20} MB",
                    file=sys.stderr,
                )
                reports.append((name, None))
                continue
            data = path.read_bytes()
        except OSError as exc:
            print(f"{name}: cannot read: {exc.strerror}", file=sys.stderr)
            reports.append((name, None))
            continue
        if args.presentation:
            report = verify_presentation(
                data,
                trusted_lists=lists,
                challenge=args.challenge,
                domain=args.domain,
                now=now,
                trust=trust,
                cache=cache,
            )
        else:
            report = verify(
                data,
                trusted_lists=lists,
                now=now,
                trust=trust,
                cache=cache,
                challenge=args.challenge,
                domain=args.domain,
            )
        reports.append((name, report))
    if documents.processed_context_count() > known:
        documents.save_processed_contexts(processed)
    if args.json:
        out = [
            {"file": n, **(r.to_json() if r is not None else {"error": "unreadable file"})}
            for n, r in reports
        ]
        print(json.dumps(out[0] if len(out) == 1 else out, indent=2, ensure_ascii=False))
    else:
        for name, report in reports:
            if report is not None:
                print_report(report, name=name)
    return 0 if all(r is not None and r.verified for _, r in reports) else 1


def cmd_trust(args: argparse.Namespace) -> int:
    """List, add, remove trusted issuers or import a registry."""
    from verifier.trust import TrustedIssuer, TrustStore

    home = _home(args)
    store = TrustStore.from_file(home / "trust.json")
    if args.trust_cmd == "list":
        for issuer in store.issuers():
            print(f"{issuer.id}\t{issuer.name}\t{issuer.registry}")
        return 0
    if args.trust_cmd == "add":
        keys: tuple[dict, ...] = ()
        if args.key:
            keys = (json.loads(Path(args.key).read_text("utf-8")),)
        store.add(
            TrustedIssuer(
                id=args.issuer,
                name=args.name,
                registry="local",
                keys=keys,
                added_at=datetime.now(UTC),
            )
        )
        store.save()
        print(f"added {args.issuer}")
        return 0
    if args.trust_cmd == "remove":
        store.remove(args.issuer)
        store.save()
        print(f"removed {args.issuer}")
        return 0
    if args.trust_cmd == "import-tl":
        return _import_trusted_lists(args, home)
    if args.trust_cmd == "import-registry":
        try:
            data = json.loads(Path(args.file).read_text("utf-8"))
            count = store.import_dcc_registry(data, registry_name=args.name, now=datetime.now(UTC))
        except (OSError, ValueError, TrustListError) as exc:
            print(f"not imported: {exc}", file=sys.stderr)
            return 1
        store.save()
        print(f"imported {count} issuers")
        return 0
    raise AssertionError(args.trust_cmd)


def _import_trusted_lists(args: argparse.Namespace, home: Path) -> int:
    """Import EU trusted lists (LOTL first); a bad list changes nothing."""
    from verifier.trustlists import TrustedListStore
    from verifier.tsl.files import import_files, load_certificate

    store_path = home / TRUSTED_LISTS_FILE
    signer = Path(args.lotl_signer) if args.lotl_signer else None
    try:
        summary = import_files([Path(p) for p in args.files], store_path=store_path,
                               now=datetime.now(UTC), lotl_signer=signer)
        if signer is not None:  # remember the LOTL signer the operator vouched for
            store = TrustedListStore.from_file(store_path)
            store.pin_lotl_signer(load_certificate(signer))
            store.save()
    except (OSError, ValueError, TrustListError) as exc:
        print(f"not imported: {exc}", file=sys.stderr)
        return 1
    print(summary)
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    """Fetch status lists, DID documents and registries into the cache (the only online step)."""
    from verifier import refresh

    _, cache = _stores(args)
    urls: list[str] = list(args.url or [])
    for name in args.files or []:
        try:
            doc = json.loads(Path(name).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            print(f"{name}: skipped: {exc}", file=sys.stderr)
            continue
        urls.extend(refresh.urls_to_refresh(doc))
    result = refresh.refresh(urls, cache=cache)
    print(result.describe() if hasattr(result, "describe") else result)
    return 0 if not getattr(result, "failed", ()) else 1


def cmd_demo(args: argparse.Namespace) -> int:
    """Issue demo credentials with throw-away keys and verify them."""
    from verifier.demo import run_demo

    return run_demo(Path(args.out) if args.out else None)


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the employer's verifier pages (werkzeug; behind gunicorn in production)."""
    from verifier.web import create_app

    home = args.serve_home or args.home
    app = create_app({"VERIFIER_HOME": str(Path(home) if home else data_dir())})
    print(f"verifier: trust data in {app.config['VERIFIER_HOME']}", file=sys.stderr)
    app.run(host=args.host, port=args.port, threaded=True)
    return 0


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser of the ``verifier`` command.

    Given the arguments, only the named command's own options are built (the others keep
    their one-line help for ``verifier --help``): argparse looks up its messages on disk for
    every parser, which is a noticeable part of a one-shot ``verifier verify``.
    """
    parser = argparse.ArgumentParser(prog="verifier", description=__doc__)
    parser.add_argument("--home", help="folder of trust.json and cache/ (default: $VERIFIER_HOME)")
    sub = parser.add_subparsers(dest="command", required=True)
    chosen = _command_named(argv)
    for name, (help_text, fill) in _COMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        if chosen is None or chosen == name:
            fill(command)
    return parser


def _command_named(argv: Sequence[str] | None) -> str | None:
    """The command ``argv`` names, or None when it names none (then every parser is built)."""
    args = list(sys.argv[1:] if argv is None else argv)
    while args[:1] == ["--home"]:
        del args[:2]
    if args and args[0].startswith("--home="):
        del args[0]
    return args[0] if args and args[0] in _COMMANDS else None


def _verify_options(v: argparse.ArgumentParser) -> None:
    v.add_argument("files", nargs="+")
    v.add_argument("--json", action="store_true", help="print the report as JSON")
    v.add_argument("--now", help="verify as of this ISO 8601 time (default: now)")
    v.add_argument("--challenge", help="the challenge (JWT/SD-JWT: nonce) you asked for")
    v.add_argument("--domain", help="the domain (JWT/SD-JWT: aud) you asked for")
    v.add_argument("--presentation", action="store_true", help="require a presentation")
    v.add_argument(
        "--trust-any-issuer-insecure",
        action="store_true",
        help="treat every issuer as trusted (testing only)",
    )
    v.set_defaults(func=cmd_verify)


def _trust_options(t: argparse.ArgumentParser) -> None:
    tsub = t.add_subparsers(dest="trust_cmd", required=True)
    tsub.add_parser("list")
    add = tsub.add_parser("add")
    add.add_argument("issuer")
    add.add_argument("--name", required=True)
    add.add_argument("--key", help="a public JWK file to pin for this issuer")
    rm = tsub.add_parser("remove")
    rm.add_argument("issuer")
    tl = tsub.add_parser("import-tl", help="import EU trusted lists (ETSI TS 119 612 XML)")
    tl.add_argument("files", nargs="+", help="the EU list of trusted lists and national lists")
    tl.add_argument("--lotl-signer", help="PEM/DER certificate that signs the EU LOTL (as "
                    "published in the Official Journal); pinned for later imports")
    imp = tsub.add_parser("import-registry", help="import a DCC issuer registry JSON file")
    imp.add_argument("file")
    imp.add_argument("--name", help="registry name to record")
    t.set_defaults(func=cmd_trust)


def _refresh_options(r: argparse.ArgumentParser) -> None:
    r.add_argument("files", nargs="*", help="credentials whose documents to refresh")
    r.add_argument("--url", action="append", help="a URL or did:web to fetch")
    r.set_defaults(func=cmd_refresh)


def _serve_options(s: argparse.ArgumentParser) -> None:
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=5001, help="port to listen on (default: 5001)")
    s.add_argument("--home", dest="serve_home", help="folder of trust.json and cache/")
    s.set_defaults(func=cmd_serve)


def _demo_options(d: argparse.ArgumentParser) -> None:
    d.add_argument("--out", help="folder to write the demo credentials to")
    d.set_defaults(func=cmd_demo)


_COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "verify": ("verify credentials or presentations offline", _verify_options),
    "trust": ("manage trusted issuers", _trust_options),
    "refresh": ("fetch status lists, DID documents, registries (online)", _refresh_options),
    "serve": ("serve the employer's verifier web pages", _serve_options),
    "demo": ("issue demo credentials and verify them", _demo_options),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line."""
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args.func(args))
    except VerificationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
