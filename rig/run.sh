#!/usr/bin/env bash
# wd-mm DMA rig: proves every IOVA with real DMA by QEMU's edu device, in two guests (plain: physical
# addresses; viommu: IOMMU-translated through VFIO). One command, on a fresh machine: rig/run.sh
# Exit 0 only if every check printed PASS and every negative control produced its mismatch.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
CACHE="$ROOT/.cache/rig"
JAVA="${RIG_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
# per guest; the plain guest takes 2-4 minutes (up to ~200 s seen on a busy 2-core host, with the
# migration round), so the default leaves room for a loaded CI machine; two guests stay under 21 minutes
GUEST_LIMIT="${RIG_GUEST_TIMEOUT:-600}"
SABOTAGE=0
if [ "${1:-}" = --sabotage ]; then
  # proves the rig can fail: every checked transfer reads 4 KiB past the right address
  SABOTAGE=4096
fi
cd "$ROOT"

"$HERE/setup.sh"
[ -x "$JAVA" ] || { echo "rig: no JDK 25 at $JAVA (set RIG_JAVA)" >&2; exit 1; }
echo "rig: building dma-rig and the backends" >&2
./mvnw -B -q -pl dma-rig,wd-cli -am package -DskipTests >&2
INITRD="$CACHE/initramfs.cpio.gz"
if [ ! -f "$INITRD" ] || [ -n "$(find "$HERE" -newer "$INITRD" -name '*.sh')" ]; then
  "$HERE/build-initramfs.sh" "$INITRD"
fi
jar=$(ls "$ROOT"/dma-rig/target/dma-rig-*.jar | grep -v -e sources -e tests | head -1)
CLASSPATH="$jar:$ROOT/dma-rig/target/lib/*"

WORK=$(mktemp -d "$CACHE/run.XXXXXX")
cleanup() {
  for pidfile in "$WORK"/*/qemu.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  done
}
trap cleanup EXIT INT TERM

status=0
for config in plain viommu; do
  out="$WORK/$config"
  mkdir -p "$out"
  sed -e "s|@CONFIG@|$config|" -e "s|@CLASSPATH@|$CLASSPATH|" -e "s|@JAVA@|$JAVA|" -e "s|@SABOTAGE@|$SABOTAGE|" -e "s|@ROOT@|$ROOT|g" \
    "$HERE/guest-job.sh.in" > "$out/guest-job.sh"
  echo "rig: booting the $config guest (limit ${GUEST_LIMIT}s)" >&2
  start=$(date +%s)
  rc=0
  "$HERE/boot.sh" "$config" "$out" "$GUEST_LIMIT" || rc=$?
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    echo "rig: TIMEOUT: the $config guest was stopped after ${GUEST_LIMIT}s (RIG_GUEST_TIMEOUT) before its check finished;" \
      "the host is probably overloaded: rerun with RIG_GUEST_TIMEOUT=<more seconds>; its log so far: $out/guest.log" >&2
    status=1
  elif [ $rc -ne 0 ]; then
    echo "rig: $config guest failed (rc=$rc); console log $out/console.log" >&2; status=1
  fi
  echo "rig: $config guest done in $(( $(date +%s) - start ))s; log $out/guest.log" >&2
  touch "$out/guest.log"
  grep -E '^(MIGRATION|PASS|FAIL|ABSENT|TOTAL|INFO vfio[a-z-]* (after close|refused as documented):) ' "$out/guest.log" | sed "s|^|[$config] |" || true
  doctor=$(grep -E '^DOCTOR ' "$out/guest.log" | grep -oE '"(mode|selected)": *("[A-Za-z_]*"|null)' | tr '\n' ' ' || true)
  if [ -n "$doctor" ]; then echo "[$config] doctor --json: $doctor"; fi
  # the usable IOVA ranges doctor read from the kernel (VFIO_IOMMU_GET_INFO) for each vfio group
  grep -E '^DOCTOR ' "$out/guest.log" | grep -oE '"(group [0-9]+: [^"]*|dma_entry_limit=[^"]*)"' \
    | sed "s|^|[$config] doctor vfio detail: |" || true
done
"$HERE/verdict.sh" "$WORK" || status=1
if [ $status -ne 0 ]; then
  echo "rig: FAILED; guest logs kept in $WORK" >&2
  for config in plain viommu; do tail -40 "$WORK/$config/guest.log" "$WORK/$config/console.log" >&2 2>/dev/null || true; done
elif [ -n "${RIG_KEEP_LOGS:-}" ]; then
  echo "rig: guest logs kept in $WORK (RIG_KEEP_LOGS)" >&2
else
  rm -rf "$WORK"
fi
exit $status
