#!/usr/bin/env bash
# The DPDK peer: installs Debian's libdpdk-dev when missing, builds wdmm_dpdk_bench.c, reserves
# 2 MiB hugepages for the run (restored afterwards), runs it in DPDK's in-memory mode (no
# hugepage files, no PCI, no telemetry socket, lcore 0) and writes JSON lines.
#
# Usage: benchmarks/dpdk/run.sh [--quick|--full|--smoke] [--out FILE]
# Exit codes: 0 done; 2 bad usage; 3 DPDK cannot be installed or built here; 4 hugepages could
# not be reserved; 5 the benchmark itself failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mode=--quick
out=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick|--full|--smoke) mode=$1 ;;
    --out) shift; out=${1:?--out needs a file} ;;
    *) echo "dpdk/run.sh: argument=$1 unknown; use [--quick|--full|--smoke] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done
build="$here/../target/dpdk"
mkdir -p "$build"
out=${out:-$build/dpdk.jsonl}

# --- dependencies ---------------------------------------------------------------------------
if ! pkg-config --exists libdpdk 2>/dev/null || ! command -v gcc >/dev/null; then
  echo "dpdk: libdpdk-dev missing, installing Debian's libdpdk-dev pkg-config build-essential" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "dpdk: not root, cannot apt-get install; run as root or install libdpdk-dev by hand" >&2
    exit 3
  fi
  if ! { apt-get -o DPkg::Lock::Timeout=600 install -y -qq libdpdk-dev pkg-config build-essential >/dev/null \
         || { apt-get update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq libdpdk-dev pkg-config build-essential >/dev/null; }; }; then
    echo "dpdk: apt-get install libdpdk-dev failed" >&2
    exit 3
  fi
fi

# --- build ----------------------------------------------------------------------------------
bin="$build/wdmm_dpdk_bench"
if [ ! -x "$bin" ] || [ "$here/wdmm_dpdk_bench.c" -nt "$bin" ]; then
  # shellcheck disable=SC2046
  if ! gcc -O2 -march=native -Wall -Wextra -o "$bin" "$here/wdmm_dpdk_bench.c" \
       $(pkg-config --cflags --libs libdpdk) -lm; then
    echo "dpdk: build of wdmm_dpdk_bench.c failed" >&2
    exit 3
  fi
fi

# --- hugepages: 128 x 2 MiB (pool 8191 x 4 KiB, 64 MiB working set, malloc up to 1 MiB) ---------
need=128
sysfs=/sys/kernel/mm/hugepages/hugepages-2048kB
orig=$(cat /proc/sys/vm/nr_hugepages)
free=$(cat "$sysfs/free_hugepages")
restore() {
  if [ -n "${raised:-}" ]; then
    sysctl -q -w vm.nr_hugepages="$orig" >/dev/null || echo "dpdk: could not restore vm.nr_hugepages=$orig" >&2
    echo "dpdk: vm.nr_hugepages restored to $orig" >&2
  fi
}
trap restore EXIT
if [ "$free" -lt "$need" ]; then
  target=$((orig + need - free))
  [ "$target" -le 256 ] || target=256
  if ! sysctl -q -w vm.nr_hugepages="$target" >/dev/null; then
    echo "dpdk: sysctl vm.nr_hugepages=$target failed (root needed)" >&2
    exit 4
  fi
  raised=1
  free=$(cat "$sysfs/free_hugepages")
  echo "dpdk: vm.nr_hugepages $orig -> $target, $free free" >&2
fi
if [ "$free" -lt 64 ]; then
  echo "dpdk: only $free free 2 MiB hugepages (need about $need); free some or raise vm.nr_hugepages" >&2
  exit 4
fi

# --- run ------------------------------------------------------------------------------------
echo "dpdk: running $bin $mode -> $out" >&2
if ! "$bin" --in-memory --no-pci --no-telemetry --iova-mode=pa -l 0 --log-level=lib.eal:warning \
     -- --out "$out" "$mode"; then
  echo "dpdk: the benchmark failed" >&2
  exit 5
fi
echo "dpdk: results in $out" >&2
