#!/usr/bin/env bash
# Compiles the single executable dist/cairn (Bun runtime + our code + console assets + the
# liberasurecode / ISA-L shared objects, which ffi/embedded.ts imports `with { type: "file" }`).
# The shared objects are committed in ffi/lib (small, and `bun test` needs them too); if one is
# missing, it is copied from the system (Debian liberasurecode1, libisal2).
#   scripts/build.sh [OUTFILE]      default dist/cairn
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-dist/cairn}
bun=${BUN:-node_modules/.bin/bun}
[[ -x $bun ]] || bun=$(command -v bun) || { echo "build: bun not found (run scripts/setup.sh)" >&2; exit 1; }

syslib=/usr/lib/x86_64-linux-gnu
for lib in liberasurecode.so.1 libXorcode.so.1 libisal.so.2; do
  if [[ ! -s ffi/lib/$lib ]]; then
    [[ -e $syslib/$lib ]] || { echo "build: ffi/lib/$lib missing and not on this system: apt-get install liberasurecode1 libisal2" >&2; exit 1; }
    cp -L "$syslib/$lib" "ffi/lib/$lib"
  fi
done

mkdir -p "$(dirname "$out")"
# Build beside the target and rename over it: a running dist/cairn (a server under test) keeps
# its old inode instead of the build failing with ETXTBSY or the server reading a half-written file.
tmp="$out.build.$$"
# --sourcemap embeds the map in the executable (readable stack traces); the .map file bun also
# writes beside it (one per entry) are not needed. --bytecode ships the bundle precompiled: parsing
# it was most of start-up (`cairn --version` 140 -> 60 ms; the server's live probe 285 -> 160 ms).
# Two entry points: src/boot.ts runs first and loads src/main.ts's bundle only after the re-exec
# (see src/boot.ts).
maps=("$tmp.map" "$(dirname "$out")/main.js.map")
trap 'rm -f "$tmp" "${maps[@]}"' EXIT
"$bun" build --compile --bytecode --sourcemap src/boot.ts src/main.ts --outfile "$tmp"
mv -f "$tmp" "$out"
ls -l "$out" | awk '{ printf "build: %s, %.1f MB\n", $NF, $5 / 1e6 }'
