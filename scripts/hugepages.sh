#!/bin/sh
# Reserves 2 MiB hugepages for the tests and benchmarks: `scripts/hugepages.sh [N]` (default 256,
# i.e. 512 MiB). Needs root; where it cannot reserve, it says so loudly and exits 0 so that the
# tests run and report their hugepage cases as skipped with the reason.
want=${1:-256}
nr=/proc/sys/vm/nr_hugepages
free=/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages
have=$(cat "$free" 2>/dev/null || echo 0)
if [ "$have" -ge "$want" ]; then
  echo "hugepages: $have free 2 MiB pages (wanted $want): nothing to do"
  exit 0
fi
total=$(cat "$nr" 2>/dev/null || echo 0)
target=$((total + want - have))
if [ "$(id -u)" = 0 ] && sysctl -q vm.nr_hugepages="$target" 2>/dev/null; then
  have=$(cat "$free" 2>/dev/null || echo 0)
  echo "hugepages: sysctl vm.nr_hugepages=$target -> $have free 2 MiB pages"
else
  echo "!!! hugepages: could not reserve $want 2 MiB pages (need root: sudo sysctl vm.nr_hugepages=$target)." >&2
  echo "!!! hugepage tests will be SKIPPED and say why." >&2
fi
exit 0
