#!/usr/bin/env bash
# Makes a debian:12-slim equivalent base image locally, for machines that reach Debian's apt
# mirror but no image registry (the Dockerfile's FROM takes it through --build-arg BASE=...).
#   scripts/container-base.sh [TAG]      default localhost/cairn-test/debian:12-slim
# Idempotent: the image already in podman's store is kept; the rootfs tarball is cached under
# $CAIRN_CACHE (default /var/cache/cairn-test) so a wiped podman store re-imports in seconds.
# Needs root, podman and mmdebstrap (apt-get install podman mmdebstrap).
set -euo pipefail

tag=${1:-localhost/cairn-test/debian:12-slim}
cache=${CAIRN_CACHE:-/var/cache/cairn-test}
mirror=${CAIRN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
tarball=$cache/debian-12-slim.tar

die() { echo "container-base: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "must run as root (mmdebstrap --mode=root, podman's system store)"
command -v podman >/dev/null || die "podman not installed: apt-get install podman"

if podman image exists "$tag"; then
  echo "container-base: $tag already present" >&2
  exit 0
fi

if [[ ! -s $tarball ]]; then
  command -v mmdebstrap >/dev/null || die "mmdebstrap not installed: apt-get install mmdebstrap"
  mkdir -p "$cache"
  echo "container-base: building $tarball with mmdebstrap (a few minutes on first run)" >&2
  # The same trimming as the official slim image: no docs, man pages or translations. dpkg keeps
  # these rules in the image, so packages a build stage installs later stay slim too.
  slim=(
    --dpkgopt='path-exclude=/usr/share/doc/*'
    --dpkgopt='path-include=/usr/share/doc/*/copyright'
    --dpkgopt='path-exclude=/usr/share/man/*'
    --dpkgopt='path-exclude=/usr/share/info/*'
    --dpkgopt='path-exclude=/usr/share/groff/*'
    --dpkgopt='path-exclude=/usr/share/lintian/*'
    --dpkgopt='path-exclude=/usr/share/locale/*'
    --dpkgopt='path-include=/usr/share/locale/locale.alias'
  )
  # Written beside the target and renamed, so an interrupted run never leaves a truncated cache.
  tmp="$tarball.tmp.$$"
  trap 'rm -f "$tmp"' EXIT
  mmdebstrap --quiet --mode=root --variant=minbase --format=tar "${slim[@]}" bookworm "$tmp" "$mirror"
  mv -f "$tmp" "$tarball"
fi

echo "container-base: importing $tarball as $tag" >&2
# The official image's default command; Dockerfile stages set their own.
podman import --quiet --change 'CMD ["bash"]' "$tarball" "$tag" >/dev/null
echo "container-base: $tag ready" >&2
