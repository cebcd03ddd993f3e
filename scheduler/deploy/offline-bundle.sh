#!/usr/bin/env bash
# Build an offline installation bundle of zwgk-audit for an isolated government intranet (政务外网):
# every Python dependency as a wheel, the project itself as a wheel, the install script and the list of
# Debian packages to bring along. Run on a machine that reaches PyPI, with the same Python version
# (3.11) and architecture as the target.
#   bash scheduler/deploy/offline-bundle.sh [OUT_DIR]          (default: dist/zwgk-offline)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-dist/zwgk-offline}
py=${PYTHON:-python3}
rm -rf "$out"
mkdir -p "$out/wheels"
"$py" -m pip wheel --quiet --wheel-dir "$out/wheels" ".[postgres]" pip setuptools wheel
cp scheduler/deploy/install-offline.sh "$out/install.sh"
cp scheduler/deploy/*.service "$out/"
cat > "$out/APT-PACKAGES.txt" <<'TXT'
# Debian packages the target needs (download them with apt-get download on a Debian 12 machine of the same
# architecture, copy the .deb files over and install with: apt-get install ./*.deb)
python3 python3-venv
chromium fonts-noto-cjk
libreoffice-writer-nogui
poppler-utils
TXT
( cd "$out" && find wheels -type f -name '*.whl' -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS )
echo "离线安装包：$out（$(ls "$out/wheels" | wc -l) 个 wheel，$(du -sh "$out" | cut -f1)）"
