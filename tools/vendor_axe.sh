#!/usr/bin/env bash
# Vendor axe-core (the accessibility engine the browser tests inject) from the npm registry:
# a pinned version, its tarball checked against the registry's published integrity, then
# axe.min.js and its licence copied to static/vendor/axe-core/ with a VERSION file giving the
# version and the sha256 of axe.min.js. Re-running it reproduces the same files.
#
#   tools/vendor_axe.sh            # the pinned version below
#   AXE_VERSION=4.x.y tools/vendor_axe.sh   # another version (update the pin afterwards)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="${AXE_VERSION:-4.14.1}"
# The registry's dist.integrity for axe-core 4.14.1 (npm view axe-core@4.14.1 dist.integrity).
PINNED_INTEGRITY="sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
DEST=static/vendor/axe-core

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@${VERSION}" >/dev/null)
tarball="$work/axe-core-${VERSION}.tgz"

integrity="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
expected="$(npm view "axe-core@${VERSION}" dist.integrity)"
if [ "$integrity" != "$expected" ]; then
  echo "integrity mismatch: tarball $integrity, registry $expected" >&2
  exit 1
fi
if [ "$VERSION" = "4.14.1" ] && [ "$integrity" != "$PINNED_INTEGRITY" ]; then
  echo "integrity differs from the pin recorded in this script" >&2
  exit 1
fi

tar -xzf "$tarball" -C "$work" package/axe.min.js package/LICENSE package/package.json
mkdir -p "$DEST"
cp "$work/package/axe.min.js" "$DEST/axe.min.js"
cp "$work/package/LICENSE" "$DEST/LICENSE"
sha="$(sha256sum "$DEST/axe.min.js" | cut -d' ' -f1)"
cat > "$DEST/VERSION" <<INFO
axe-core ${VERSION}
source: https://registry.npmjs.org/axe-core/-/axe-core-${VERSION}.tgz
tarball integrity: ${integrity}
axe.min.js sha256: ${sha}
licence: MPL-2.0 (LICENSE)
INFO
echo "vendored axe-core ${VERSION} into ${DEST} (axe.min.js sha256 ${sha})"
