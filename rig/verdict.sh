#!/usr/bin/env bash
# Judges one rig run from the guests' logs in WORKDIR/{plain,viommu}/guest.log: every subject that
# ran printed PASS (its negative control mismatched as required), none printed FAIL, the rig's own
# reference subjects passed in both guests, each guest's check finished (TOTAL with fails=0), and the
# plain guest ran its migration round before the checks (MIGRATION control pages=<n> moved=<m>). A round
# that moved no control page (possible under TCG) does not fail the run: a warning says it proved nothing.
set -uo pipefail
WORK="$1"
ok=0
bytes=0; buffers=0; passes=0; held=0
migration="no migration round"
vfio=""
registered=""
for config in plain viommu; do
  log="$WORK/$config/guest.log"
  [ -f "$log" ] || { echo "rig: VERDICT missing log for $config"; ok=1; continue; }
  if grep -q '^FAIL ' "$log"; then echo "rig: VERDICT $config has FAIL lines"; ok=1; fi
  if ! grep -Eq '^TOTAL .* fails=0 ' "$log"; then echo "rig: VERDICT $config check did not finish cleanly"; ok=1; fi
  ref=raw-pagemap; [ "$config" = viommu ] && ref=raw-vfio
  if ! grep -Eq "^PASS $ref .*negative-control=mismatch" "$log"; then echo "rig: VERDICT $config: no PASS for $ref"; ok=1; fi
  # detection in the guest (./wd-mm doctor --json): plain is NO_IOMMU; viommu is TRANSLATED and selects vfio
  if grep -q '^DOCTOR ' "$log"; then
    want='"mode": "NO_IOMMU"'; [ "$config" = viommu ] && want='"mode": "TRANSLATED"'
    if ! grep '^DOCTOR ' "$log" | grep -q "$want"; then echo "rig: VERDICT $config: doctor does not report $want"; ok=1; fi
    if [ "$config" = viommu ] && ! grep '^DOCTOR ' "$log" | grep -q '"selected": "vfio"'; then
      echo "rig: VERDICT viommu: doctor does not select vfio"; ok=1
    fi
  fi
  if [ "$config" = viommu ] && grep -Eq '^PASS vfio ' "$log"; then
    # the vfio bridge maps once per chunk, not per iovaMap: DmaCheck checked it, the verdict reports it
    line=$(grep -E '^PASS vfio ' "$log" | tail -1)
    if ! echo "$line" | grep -Eq 'vfio-map-ioctls=[0-9]+ vfio-chunks=[0-9]+ iova-maps=[0-9]+'; then
      echo "rig: VERDICT viommu: the vfio PASS line does not count its VFIO_IOMMU_MAP_DMA calls"; ok=1
    else
      field() { echo "$line" | grep -oE "$1=[0-9-]+" | head -1 | cut -d= -f2; }
      vfio="; vfio: $(field vfio-map-ioctls) VFIO_IOMMU_MAP_DMA for $(field vfio-chunks) chunks and $(field iova-maps) iovaMap calls"
    fi
  fi
  if [ "$config" = plain ]; then
    control=$(grep -E '^MIGRATION control pages=[0-9]+ moved=[0-9]+$' "$log" | tail -1)
    if [ -z "$control" ]; then
      echo "rig: VERDICT plain: no 'MIGRATION control pages=<n> moved=<m>' line: the migration round did not run"; ok=1
    else
      cpages=$(echo "$control" | sed -E 's/.*pages=([0-9]+).*/\1/'); cmoved=${control##*moved=}
      migration="migration round moved $cmoved of $cpages mlock-only control pages"
      if [ "$cmoved" -eq 0 ]; then
        echo "rig: WARNING the migration round provoked nothing: 0 of $cpages mlock-only control pages moved," \
          "so this run did not test whether held buffers' IOVAs survive migration (not a failure)"
        migration="$migration (provoked nothing)"
      fi
    fi
  fi
  while read -r _ _ _ b n _; do
    bytes=$((bytes + ${b#bytes=})); buffers=$((buffers + ${n#buffers=})); passes=$((passes + 1))
  done < <(grep -E '^PASS ' "$log")
  while read -r r; do registered="$registered ${r%% *}"; done \
    < <(grep -E '^PASS [a-z0-9-]+-registered .*iova-to-va-checked=[0-9]+' "$log" | sed -E 's/^PASS ([^ ]+) .*iova-to-va-checked=([0-9]+).*/\1 (\2 IOVAs checked back to their addresses)/' | tr ' ' '_')
  while read -r h; do held=$((held + ${h#held-after-migration=})); done \
    < <(grep -E '^PASS ' "$log" | grep -oE 'held-after-migration=[0-9]+')
done
migration="$migration; $held held buffers moved through IOVAs recorded before it$vfio"
[ -n "$registered" ] && migration="$migration; registered application memory moved by DMA:$(echo "$registered" | tr '_' ' ')"
if [ $ok -eq 0 ]; then
  echo "rig: VERDICT PASS: $passes subject(s) passed, $bytes bytes in $buffers buffers verified by DMA, every negative control mismatched as required; $migration"
else
  echo "rig: VERDICT FAIL: $passes subject(s) passed ($bytes bytes in $buffers buffers verified by DMA; $migration); see the FAIL lines above"
fi
exit $ok
