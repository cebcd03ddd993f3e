#!/usr/bin/env bash
# Install zwgk-audit from an offline bundle (made by offline-bundle.sh), without any network access.
#   bash install.sh [PREFIX]      (default: /opt/zwgk-audit) — creates PREFIX/.venv with the service packages only
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prefix=${1:-/opt/zwgk-audit}
py=${PYTHON:-python3}
if ! "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "错误：离线安装包为 Python 3.11 构建（当前：$("$py" --version 2>&1)）" >&2
  exit 2
fi
( cd "$here" && sha256sum --quiet -c SHA256SUMS ) || { echo "错误：安装包文件校验失败（SHA256SUMS）" >&2; exit 2; }
mkdir -p "$prefix"
"$py" -m venv "$prefix/.venv"
"$prefix/.venv/bin/python" -m pip install --quiet --no-index --find-links "$here/wheels" --upgrade pip
"$prefix/.venv/bin/python" -m pip install --quiet --no-index --find-links "$here/wheels" "zwgk-audit[postgres]"
"$prefix/.venv/bin/zwgk" --help >/dev/null
echo "已安装：$prefix/.venv/bin/zwgk（系统软件包见 $here/APT-PACKAGES.txt）"
