#!/usr/bin/env bash
# Installs what Cairn needs on Debian; idempotent and quick when everything is present.
#   scripts/setup.sh          runtime: liberasurecode + ISA-L, npm packages
#   scripts/setup.sh --test   also the real S3 clients the integration tests drive
#   scripts/setup.sh --container   also podman and mmdebstrap for test/deploy/container.test.ts
set -euo pipefail
cd "$(dirname "$0")/.."

runtime_pkgs=(liberasurecode1 libisal2)
# chromium: the CORS test drives a real browser (playwright-core launches Debian's build).
# libjerasure2: src/ec/backends.test.ts forces liberasurecode's jerasure fallback (ISA-L off).
# wrk: the bench's GET load generator (test/bench/wrk.test.ts drives it).
test_pkgs=(awscli rclone s3cmd python3-boto3 util-linux chromium libjerasure2 wrk)
want=("${runtime_pkgs[@]}")
[[ "${1:-}" == "--test" ]] && want+=("${test_pkgs[@]}")
# runc: Debian 12's crun cannot run on hosts with hybrid cgroup v1/v2 mounts.
container_pkgs=(podman runc mmdebstrap)
[[ " $* " == *" --container "* ]] && want+=("${container_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "cairn setup: missing Debian packages. Run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "cairn setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm dependencies (bun itself comes from npm as a devDependency).
# Also after a pull that changed the lockfile (npm records what it installed in node_modules).
if [[ ! -x node_modules/.bin/bun || package-lock.json -nt node_modules/.package-lock.json ]]; then
  if [[ -f package-lock.json ]]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi
