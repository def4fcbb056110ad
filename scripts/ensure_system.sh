#!/usr/bin/env bash
# Make sure the system has what Samizdat needs beyond its own Python packages.
# Usage: scripts/ensure_system.sh [python] [chromium] [nginx] [postgresql] [redis] [systemd] [java] [node]
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
    postgresql)
      # the deploy tests' databases; without a server that lets them in, the tests start a throw-away cluster
      ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql) ;;
    redis)
      command -v redis-server >/dev/null 2>&1 || missing+=(redis-server) ;;
    systemd)
      # systemd-analyze verifies the shipped units
      command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd) ;;
    java)
      # the Nu HTML Checker (tools/validators) runs on Java
      command -v java >/dev/null 2>&1 || missing+=(default-jre-headless) ;;
    node)
      # npm installs tools/validators; axe-core and Lighthouse run on Node
      command -v node >/dev/null 2>&1 || missing+=(nodejs)
      command -v npm >/dev/null 2>&1 || missing+=(npm) ;;
    *) echo "ensure_system.sh: unknown need '$need'" >&2; exit 2 ;;
  esac
done

if [ ${#missing[@]} -gt 0 ]; then
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
fi

# The tests that prove several app processes agree use Redis on 127.0.0.1:6379 (it keeps nothing on disk here).
redis_answers() { (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }
for need in "$@"; do
  if [ "$need" = redis ] && ! redis_answers; then
    start=(redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no)
    if [ "$(id -u)" -eq 0 ]; then
      echo "Starting redis-server on 127.0.0.1:6379…"
      "${start[@]}" >/dev/null
      for _ in $(seq 50); do redis_answers && break; sleep 0.1; done
    else
      echo "Redis is not running on 127.0.0.1:6379. Run:  ${start[*]}" >&2
      exit 1
    fi
  fi
done
