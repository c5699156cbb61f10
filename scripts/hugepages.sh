#!/bin/sh
# Reserves 2 MiB huge pages for the tests and benchmarks: `scripts/hugepages.sh [N]` (default 256,
# i.e. 512 MiB). Needs root and nothing else: it writes /proc/sys/vm/nr_hugepages itself (no
# sysctl on the PATH needed). Where it cannot reserve them (not root, a kernel without hugetlbfs,
# memory too fragmented) it says so loudly, with what the tests will skip and the fix, and exits 0
# so that the tests run and report those cases as skipped, each naming its reason.
want=${1:-256}
nr=/proc/sys/vm/nr_hugepages
free=/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages
uid=$(id -u)
number() { case "$1" in ''|*[!0-9]*) echo 0 ;; *) echo "$1" ;; esac; }
have=$(number "$(cat "$free" 2>/dev/null)")
total=$(number "$(cat "$nr" 2>/dev/null)")
target=$((total + want - have))

skipping() {
  echo "!!! hugepages: $1" >&2
  echo "!!! SKIPPING therefore: the tests that need more free 2 MiB huge pages than that (hugepage and passthrough backends," \
    "queue reserved memory, hugetlb mappings, the migration test); each prints 'SKIPPED <test>: <reason>; fix: <fix>'." >&2
}
not_root_note() {
  if [ "$uid" != 0 ]; then
    echo "!!! not root (uid $uid): the tests that read physical addresses from /proc/self/pagemap (CAP_SYS_ADMIN:" \
      "noiommu, hugepage, passthrough) are SKIPPED too, each saying so; run 'sudo ./wd-mm test' for all of them." >&2
  fi
}

if [ "$have" -ge "$want" ]; then
  echo "hugepages: $have free 2 MiB pages (wanted $want): nothing to do"
  not_root_note
  exit 0
fi
if [ "$uid" != 0 ]; then
  skipping "not root: did not reserve $want 2 MiB pages ($have free). Fix: sudo sh -c 'echo $target > $nr' (or run sudo ./wd-mm test)."
  not_root_note
  exit 0
fi
if ! (echo "$target" > "$nr") 2>/dev/null; then
  skipping "could not write $target to $nr (a kernel without hugetlbfs, or a read-only /proc in a container)."
  exit 0
fi
have=$(number "$(cat "$free" 2>/dev/null)")
if [ "$have" -ge "$want" ]; then
  echo "hugepages: $nr=$target -> $have free 2 MiB pages"
else
  skipping "wrote $target to $nr but only $have 2 MiB pages are free, wanted $want (memory too small or too" \
    "fragmented: echo 3 > /proc/sys/vm/drop_caches; echo 1 > /proc/sys/vm/compact_memory; then retry)."
fi
exit 0
