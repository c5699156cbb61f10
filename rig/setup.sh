#!/usr/bin/env bash
# Sets up everything the rig needs, idempotently: QEMU and busybox from Debian's packages, and a
# Debian kernel (image + modules) extracted into .cache/rig/ without installing it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="$ROOT/.cache/rig"
mkdir -p "$CACHE"

need_apt=()
command -v qemu-system-x86_64 >/dev/null || need_apt+=(qemu-system-x86)
[ -x /bin/busybox ] || [ -x /usr/bin/busybox ] || need_apt+=(busybox-static)
command -v cpio >/dev/null || need_apt+=(cpio)
command -v zstd >/dev/null || need_apt+=(zstd)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "rig: installing ${need_apt[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >&2
fi

if [ ! -f "$CACHE/kernel/ready" ]; then
  rm -rf "$CACHE/kernel" "$CACHE/deb"
  mkdir -p "$CACHE/deb" "$CACHE/kernel"
  # the newest 6.1 cloud-agnostic image the configured Debian mirror offers
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  if [ -z "$pkg" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  fi
  [ -n "$pkg" ] || { echo "rig: no linux-image-amd64 dependency found in apt (run apt-get update)" >&2; exit 1; }
  echo "rig: fetching $pkg" >&2
  (cd "$CACHE/deb" && apt-get download "$pkg" >&2)
  dpkg-deb -x "$CACHE"/deb/*.deb "$CACHE/kernel"
  rm -rf "$CACHE/deb"
  touch "$CACHE/kernel/ready"
fi
