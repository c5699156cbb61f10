#!/usr/bin/env bash
# Boots the rig's guest once under TCG and runs OUTDIR/guest-job.sh inside it.
# Usage: boot.sh plain|viommu OUTDIR TIMEOUT_SECONDS   (the guest's console goes to OUTDIR/console.log)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
CONFIG="$1"; OUT="$2"; LIMIT="$3"
KERNEL=$(echo "$ROOT"/.cache/rig/kernel/boot/vmlinuz-*)
INITRD="$ROOT/.cache/rig/initramfs.cpio.gz"
APPEND="console=ttyS0 panic=-1 loglevel=3 rdinit=/init"
case "$CONFIG" in
  plain)  MACHINE=(-machine q35) ;;
  viommu) MACHINE=(-machine q35,kernel-irqchip=split -device intel-iommu,intremap=on,caching-mode=on)
          # no_timer_check: under TCG on a loaded host the IO-APIC timer check through interrupt remapping
          # can time out and panic the kernel ("timer doesn't work through Interrupt-remapped IO-APIC")
          APPEND="$APPEND intel_iommu=on iommu=nopt no_timer_check" ;;
  *) echo "config=$CONFIG must be plain or viommu" >&2; exit 2 ;;
esac
fs="security_model=none,multidevs=remap"
set +e
timeout --kill-after=10 "$LIMIT" qemu-system-x86_64 -accel tcg "${MACHINE[@]}" -cpu max -smp 2 -m 2048 \
  -nographic -no-reboot -nodefaults -pidfile "$OUT/qemu.pid" -serial "file:$OUT/console.log" -monitor none \
  -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND" \
  -virtfs "local,path=/,mount_tag=hostroot,$fs,readonly=on" \
  -virtfs "local,path=$OUT,mount_tag=rigout,$fs" \
  -device edu,dma_mask=0xffffffffffffffff
rc=$?
set -e
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
  echo "rig: guest ($CONFIG) did not finish within ${LIMIT}s and was stopped (timeout, rc=$rc)" >&2
fi
exit $rc
