#!/bin/sh
# Builds the consul agent from its last MPL-2.0 Go module into bin/consul.
#
# Consul is not packaged in Debian, and `go install ...@version` refuses the
# module because its go.mod has `replace` lines pointing inside its own
# repository. So we copy the module out of the module cache, drop those
# replace lines, tidy and build (see /work/shared/infra.md, "Consul agent").
# The binary is cached: a second run with the right version is a no-op.
#
# Usage: scripts/build-consul.sh [OUTPUT]   (default: bin/consul)
set -eu

VERSION=1.14.11
OUT=${1:-bin/consul}
GO=${GO:-go}
CACHE=${CACHE:-.cache}
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false

if [ -x "$OUT" ] && "$OUT" version 2>/dev/null | head -n1 | grep -q "^Consul v$VERSION\$"; then
	echo "consul v$VERSION already built at $OUT"
	exit 0
fi

mkdir -p "$(dirname "$OUT")" "$CACHE"
OUT_ABS=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")
WORK="$CACHE/consul-build/consul-$VERSION"

echo "building consul v$VERSION into $OUT (takes several minutes on a small machine)"
"$GO" mod download "github.com/hashicorp/consul@v$VERSION"
SRC="$("$GO" env GOMODCACHE)/github.com/hashicorp/consul@v$VERSION"
rm -rf "$WORK"
mkdir -p "$(dirname "$WORK")"
cp -r "$SRC" "$WORK"
chmod -R u+w "$WORK"
cd "$WORK"
sed -i -E '/^replace github.com\/hashicorp\/consul\//d' go.mod
"$GO" mod tidy
# The agent's HTTP API is all the tests need; -trimpath keeps the binary
# independent of this checkout's location.
"$GO" build -trimpath -o "$OUT_ABS.tmp" .
mv "$OUT_ABS.tmp" "$OUT_ABS"
cd - >/dev/null
rm -rf "$WORK"
"$OUT_ABS" version | head -n1
