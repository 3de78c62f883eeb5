#!/bin/sh
# Vendor the browser QR decoder into static/vendor/ from the npm registry, reproducibly.
#
#   sh tools/vendor_js.sh
#
# Fetches jsQR (Apache-2.0; https://github.com/cozmo/jsQR) at a pinned version with
# `npm pack`, checks the tarball's SHA-256, and copies its browser build (dist/jsQR.js, a UMD
# file that defines window.jsQR) and its licence to static/vendor/jsqr/. The camera scanner
# (static/js/verifier-camera.js) hands it frames drawn from the video.
#
# Why jsQR: it decoded every one of 40 dense (version 20) QR codes of signed credentials in
# a test, where @zxing/library 0.23.0 missed about one in four at the same size.
# To update: change VERSION, run once with SHA256= to print the new sum, review the release,
# then pin the sum here and run the browser tests (tests/browser/test_verifier_web.py).
set -eu

NAME="jsqr"
VERSION="1.4.0"
SHA256="${SHA256-b5299b37917a1fe7a8cab9dd5cc6b8accf82663add80abe5bf7761a921cc6602}"

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="$ROOT/static/vendor/jsqr"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm pack --silent "$NAME@$VERSION" >/dev/null
TARBALL="$(ls ./*.tgz)"
ACTUAL="$(sha256sum "$TARBALL" | cut -d' ' -f1)"
if [ -z "$SHA256" ]; then
    echo "sha256 of $NAME@$VERSION: $ACTUAL"
    exit 0
fi
if [ "$ACTUAL" != "$SHA256" ]; then
    echo "checksum mismatch for $NAME@$VERSION: expected $SHA256, got $ACTUAL" >&2
    exit 1
fi
tar xzf "$TARBALL" package/dist/jsQR.js package/LICENSE
mkdir -p "$TARGET"
cp package/dist/jsQR.js "$TARGET/jsQR.js"
cp package/LICENSE "$TARGET/LICENSE"
cat > "$TARGET/README.md" <<NOTE
# $NAME $VERSION

\`jsQR.js\` is \`dist/jsQR.js\` of the npm package $NAME $VERSION (tarball SHA-256
$SHA256), licensed under the Apache License 2.0 (\`LICENSE\`).
Made by \`tools/vendor_js.sh\`; do not edit by hand.
NOTE
echo "vendored $NAME@$VERSION into ${TARGET#"$ROOT"/}"
