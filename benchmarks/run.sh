#!/usr/bin/env bash
# Runs the whole wd-mm comparison in one go: every backend present and available here (JMH), the
# Java peers (JMH, same run) and the DPDK peer (C), then writes
# bench-results/<timestamp>/{report.md,report.json,*.svg} and prints where they are.
#
# Usage: benchmarks/run.sh [--quick|--full|--smoke]
#   --quick  (default) a few minutes on 2 cores: 1 fork, short iterations; 2-thread variants at
#            size=4096 / order=shuffled only
#   --full   thorough: 2 forks, 5 x 1 s warmup, 10 x 1 s measurement, every parameter
#   --smoke  for CI, so the benchmarks cannot rot: tiny iterations, few parameters, fails on any
#            benchmark error; the DPDK peer is skipped (loudly) when it cannot be installed
# Needs root for the hugepage reservation (vm.nr_hugepages is raised for the run and restored).
# Fork JVM flags (--enable-native-access=ALL-UNNAMED, and for the Netty-with-Unsafe peer its own
# flag) come from each class's @Fork(jvmArgsAppend); none is passed here, as -jvmArgsAppend on the
# command line would replace them.
# Exit codes: 0 report written; 1 a step failed (the report is still written when it can be).
set -euo pipefail

mode=--quick
case "${1:-}" in
  ""|--quick) mode=--quick ;;
  --full|--smoke) mode=$1 ;;
  *) echo "bench: argument=$1 unknown; use [--quick|--full|--smoke]" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=/dev/null
. "$root/.mvn/find-jdk.sh"
java="$JAVA_HOME/bin/java"

echo "bench: building benchmarks/target/benchmarks.jar ($JAVA_HOME)" >&2
./mvnw -B -q -pl benchmarks -am package -DskipTests
jar="$root/benchmarks/target/benchmarks.jar"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$root/bench-results/$stamp"
mkdir -p "$out"
status=0

# --- hugepages for the whole run (hugepage/passthrough backends, then DPDK) -----------------------
need=160
sysfs=/sys/kernel/mm/hugepages/hugepages-2048kB
orig=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
raised=
restore() {
  if [ -n "$raised" ]; then
    sysctl -q -w vm.nr_hugepages="$orig" >/dev/null 2>&1 || echo "bench: could not restore vm.nr_hugepages=$orig" >&2
    echo "bench: vm.nr_hugepages restored to $orig" >&2
  fi
}
trap restore EXIT
free=$(cat "$sysfs/free_hugepages" 2>/dev/null || echo 0)
if [ "$free" -lt "$need" ]; then
  target=$((orig + need - free))
  [ "$target" -le 256 ] || target=256
  if sysctl -q -w vm.nr_hugepages="$target" >/dev/null 2>&1; then
    raised=1
    echo "bench: vm.nr_hugepages $orig -> $target ($(cat "$sysfs/free_hugepages") free) for this run" >&2
  else
    echo "bench: WARNING could not reserve hugepages (sysctl vm.nr_hugepages=$target needs root):" \
         "hugepage-backed backends and the DPDK peer may be unavailable" >&2
  fi
fi

# --- machine load: the figures are only as quiet as the machine -------------------------------
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
echo "bench: load average before the run: $load ($(nproc) cores)" >&2
notes=("--note" "load average before the run: $load on $(nproc) cores (anything else running competes with the benchmarks)")

# --- which backends can run here ------------------------------------------------------------------
backends=$("$java" --enable-native-access=ALL-UNNAMED -cp "$jar" dev.wdmm.bench.Backends 2>"$out/backends.txt" || true)
while IFS= read -r line; do
  [ -n "$line" ] && notes+=("--note" "${line#bench: }")
  [ -n "$line" ] && echo "$line" >&2
done <"$out/backends.txt"
if [ -n "$backends" ]; then
  echo "bench: backends measured: $backends" >&2
  notes+=("--note" "backends measured: $backends")
else
  echo "bench: WARNING no wd-mm backend is present and available: only the peers run" >&2
  notes+=("--note" "**no wd-mm backend present and available**: only the peers were measured")
fi

# --- JMH ----------------------------------------------------------------------------------------
case "$mode" in
  --quick) timing=(-f 1 -wi 2 -w 500ms -i 3 -r 1s) ;;
  --full)  timing=(-f 2 -wi 5 -w 1s -i 10 -r 1s) ;;
  --smoke) timing=(-f 1 -wi 0 -w 100ms -i 1 -r 100ms -foe true) ;;
esac
# naming convention: *PeersBench = peers (no backend parameter), every other *Bench = wd-mm
# suites with @Param backend, run only when a backend is available
peers='dev\.wdmm\.bench\.\w+PeersBench'
ours='dev\.wdmm\.bench\.\w+(?<!Peers)Bench'
two='\.\w+2Threads$'   # the two-thread methods
# HugepageAddressBench (the hugepage backend's address API) has no backend parameter: it runs
# only when the hugepage backend is available
case ",$backends," in
  *,hugepage,*) ;;
  *) ours='dev\.wdmm\.bench\.(?!HugepageAddress)\w+(?<!Peers)Bench' ;;
esac
jmh() { # $1 = result file, rest = JMH arguments
  local file=$1; shift
  echo "bench: jmh $*" >&2
  "$java" -jar "$jar" "$@" "${timing[@]}" -prof gc -rf json -rff "$file" || { echo "bench: JMH run failed" >&2; status=1; }
  jmh_files+=(--jmh "$file")
}
jmh_files=()
with_backends=()
[ -n "$backends" ] && with_backends=(-p "backend=$backends")
if [ "$mode" = --smoke ]; then
  jmh "$out/jmh.json" "$peers" ${backends:+"$ours"} "${with_backends[@]}" -p size=4096 -p order=shuffled
else
  # one thread: every size and order; two threads: one size and order, enough to show scaling
  if [ "$mode" = --full ]; then
    jmh "$out/jmh.json" "$peers" ${backends:+"$ours"} "${with_backends[@]}"
  else
    jmh "$out/jmh-1t.json" "$peers" ${backends:+"$ours"} "${with_backends[@]}" -e '2Threads$'
    jmh "$out/jmh-2t.json" "${peers}${two}" ${backends:+"${ours}${two}"} "${with_backends[@]}" \
      -p size=4096 -p order=shuffled
  fi
fi

# --- DPDK ---------------------------------------------------------------------------------------
dpdk_args=()
if bash "$root/benchmarks/dpdk/run.sh" "$mode" --out "$out/dpdk.jsonl"; then
  dpdk_args=(--dpdk "$out/dpdk.jsonl")
else
  rc=$?
  if [ "$mode" = --smoke ] && [ "$rc" -eq 3 ]; then
    echo "bench: ################################################################" >&2
    echo "bench: WARNING the DPDK peer was SKIPPED: libdpdk-dev cannot be installed or built here" >&2
    echo "bench: ################################################################" >&2
    notes+=("--note" "**DPDK peer SKIPPED** (smoke run): libdpdk-dev could not be installed or built")
  else
    echo "bench: the DPDK peer failed (exit $rc)" >&2
    notes+=("--note" "**DPDK peer FAILED** (exit $rc of benchmarks/dpdk/run.sh)")
    status=1
  fi
fi

# --- report -------------------------------------------------------------------------------------
"$java" -cp "$jar" dev.wdmm.bench.report.Report --out "$out" "${jmh_files[@]}" "${dpdk_args[@]}" \
  --command "benchmarks/run.sh $mode" "${notes[@]}" || status=1
ln -sfn "$stamp" "$root/bench-results/latest"
echo "bench: results in $out (report.md, report.json, *.svg); bench-results/latest points there" >&2
exit "$status"
