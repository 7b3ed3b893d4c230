#!/usr/bin/env bash
# Builds the Temporal server that `npm run test:production` runs on PostgreSQL, at the version
# docker-compose.yml pins (temporalio/server:<version>), from its Go module on the Go module proxy:
#   .tools/temporal-server/<version>/bin/temporal-server     go.temporal.io/server/cmd/server
#   .tools/temporal-server/<version>/bin/temporal-sql-tool   go.temporal.io/server/cmd/tools/sql
#   .tools/temporal-server/<version>/schema/postgresql/      the SQL schema the tool applies
#   .tools/temporal-server/<version>/config/                 the module's config templates
# Idempotent and cached: a second run only checks the binaries' versions. Building the server takes
# 10 to 20 minutes on 2 cores the first time (module downloads and the build; measured 13 on idle cores,
# 22 on busy ones). Nothing is downloaded outside the Go module proxy.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pinned="$(sed -n 's#^ *image: temporalio/server:\([0-9][0-9.]*\)$#\1#p' "$root/docker-compose.yml" | head -1)"
VERSION="${TEMPORAL_SERVER_VERSION:-$pinned}"
if [ -z "$VERSION" ]; then
  echo "install-temporal-server: no temporalio/server:<version> image in docker-compose.yml (or set TEMPORAL_SERVER_VERSION)" >&2
  exit 1
fi
dest="$root/.tools/temporal-server/$VERSION"
server="$dest/bin/temporal-server"
sqltool="$dest/bin/temporal-sql-tool"

built_ok() {
  [ -x "$server" ] && [ -x "$sqltool" ] && [ -d "$dest/schema/postgresql/v12" ] && [ -f "$dest/.version" ] && [ "$(cat "$dest/.version")" = "$VERSION" ]
}
if built_ok; then
  echo "temporal-server ${VERSION} already in $dest"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-temporal-server: Go is needed to build go.temporal.io/server@v${VERSION}" >&2
  exit 1
fi

mkdir -p "$root/.tools"
# One build at a time per cache (worktrees may share .tools): the second waits, then finds it built.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$root/.tools/.install-temporal-server.lock"
  flock 9
  if built_ok; then
    echo "temporal-server ${VERSION} already in $dest"
    exit 0
  fi
fi

mkdir -p "$dest/bin"
echo "install-temporal-server: building go.temporal.io/server@v${VERSION} (a few minutes the first time)"
export GOFLAGS="${GOFLAGS:-} -mod=mod"
GOBIN="$dest/bin" go install "go.temporal.io/server/cmd/server@v${VERSION}"
GOBIN="$dest/bin" go install "go.temporal.io/server/cmd/tools/sql@v${VERSION}"
mv -f "$dest/bin/server" "$server"
mv -f "$dest/bin/sql" "$sqltool"

# The schema and config templates come from the same module, now in the module cache.
module="$(go env GOMODCACHE)/go.temporal.io/server@v${VERSION}"
rm -rf "$dest/schema" "$dest/config"
mkdir -p "$dest/schema" "$dest/config"
cp -R "$module/schema/postgresql" "$dest/schema/"
cp -R "$module/config/dynamicconfig" "$dest/config/"
cp "$module/config/development-postgres12.yaml" "$dest/config/"
chmod -R u+w "$dest/schema" "$dest/config"
echo "$VERSION" >"$dest/.version"
"$server" --version 2>/dev/null || true
echo "temporal-server ${VERSION} built in $dest"
