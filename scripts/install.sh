#!/usr/bin/env bash
# Installs the compiled binary, a `cairn` system user, /etc/default/cairn and the systemd unit.
#   scripts/install.sh [--binary dist/cairn] [--prefix /] [--no-start]
# --prefix installs into another root (used by the tests); systemctl is only called for prefix /.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="$here/../dist/cairn"
prefix="/"
start=1
while (($#)); do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    --no-start) start=0; shift ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x "$binary" ]] || { echo "install.sh: no executable at $binary (run: npm run build)" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo "install.sh: run as root" >&2; exit 1; }

install -D -m 0755 "$binary" "$prefix/usr/local/bin/cairn"
install -D -m 0644 "$here/cairn.service" "$prefix/etc/systemd/system/cairn.service"
if [[ ! -f "$prefix/etc/default/cairn" ]]; then
  install -d "$prefix/etc/default"
  cat > "$prefix/etc/default/cairn" <<'CONF'
# Drives (ellipsis allowed: /mnt/disk{1...4}) and extra flags for `cairn server`.
CAIRN_VOLUMES="/var/lib/cairn"
CAIRN_OPTS="--address :9000 --console-address :9001"
# Set real credentials before exposing the server.
#CAIRN_ROOT_USER=
#CAIRN_ROOT_PASSWORD=
CONF
  chmod 0640 "$prefix/etc/default/cairn"
fi

if [[ "$prefix" == "/" ]]; then
  id cairn >/dev/null 2>&1 || useradd --system --home-dir /var/lib/cairn --shell /usr/sbin/nologin cairn
  install -d -o cairn -g cairn -m 0750 /var/lib/cairn
  chgrp cairn /etc/default/cairn
  if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
    systemctl daemon-reload
    ((start)) && systemctl enable --now cairn.service
  fi
fi
echo "cairn installed under $prefix"
