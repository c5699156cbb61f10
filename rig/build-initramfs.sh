#!/usr/bin/env bash
# Builds the guest's initramfs: static busybox, the rig's /init, and the kernel modules for 9p over
# virtio and for VFIO, with every dependency, in load order. Usage: build-initramfs.sh OUT.cpio.gz
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
KDIR="$ROOT/.cache/rig/kernel"
MODROOT=$(echo "$KDIR"/lib/modules/*)
OUT="$1"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

BUSYBOX=$(command -v busybox)
mkdir -p "$STAGE"/{bin,sbin,proc,sys,dev,host,mods,tmp}
cp "$BUSYBOX" "$STAGE/bin/busybox"
for applet in sh mount umount insmod mkdir cat echo chroot poweroff sleep ls sysctl timeout sync ln; do
  ln -s busybox "$STAGE/bin/$applet"
done
mknod -m 600 "$STAGE/dev/console" c 5 1
cp "$HERE/guest-init.sh" "$STAGE/init"
chmod +x "$STAGE/init"

declare -A seen=()
order=()
modpath() { find "$MODROOT/kernel" -name "$1.ko" -print -quit; }
depends() { tr '\0' '\n' < "$1" | sed -n 's/^depends=//p' | tr ',' ' '; }
visit() {
  local name="${1//-/_}" file dep
  [ -n "${seen[$name]:-}" ] && return 0
  seen[$name]=1
  file=$(modpath "$name")
  if [ -z "$file" ]; then file=$(modpath "${name//_/-}"); fi
  if [ -z "$file" ]; then
    grep -q "/$name.ko" "$MODROOT/modules.builtin" 2>/dev/null && return 0
    echo "rig: module $name not found under $MODROOT" >&2; return 1
  fi
  for dep in $(depends "$file"); do visit "$dep"; done
  cp "$file" "$STAGE/mods/"
  order+=("$(basename "$file")")
}
for m in virtio virtio_ring virtio_pci netfs 9pnet 9pnet_virtio 9p vfio vfio_iommu_type1 vfio_pci; do visit "$m"; done
printf '%s\n' "${order[@]}" > "$STAGE/mods/order"
(cd "$STAGE" && find . | cpio -o -H newc --quiet | gzip -1) > "$OUT"
echo "rig: initramfs with modules: ${order[*]}" >&2
