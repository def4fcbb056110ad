#!/usr/bin/env bash
# Make sure the system has what Samizdat needs beyond its own Python packages.
# Usage: scripts/ensure_system.sh [python] [chromium] [nginx]
# As root it installs what is missing with apt; otherwise it stops at once with the one command to run.
set -euo pipefail

missing=()
for need in "$@"; do
  case "$need" in
    python)
      if ! python3 -c 'import sys, venv, ensurepip; assert sys.version_info >= (3, 11)' 2>/dev/null; then
        missing+=(python3 python3-venv)
      fi ;;
    chromium)
      command -v chromium >/dev/null 2>&1 || missing+=(chromium) ;;
    nginx)
      # the static export is tested behind Debian's nginx with brotli_static, and its signature with minisign
      PATH="$PATH:/usr/sbin" command -v nginx >/dev/null 2>&1 || missing+=(nginx)
      [ -e /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ] || missing+=(libnginx-mod-http-brotli-static)
      command -v minisign >/dev/null 2>&1 || missing+=(minisign) ;;
    *) echo "ensure_system.sh: unknown need '$need'" >&2; exit 2 ;;
  esac
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing ${missing[*]} with apt…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Run:  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
