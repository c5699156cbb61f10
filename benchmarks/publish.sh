#!/usr/bin/env bash
# Copies one run's report and charts into benchmarks/results/ (committed): latest.md, with the
# command, date, machine and load average at the top, and the SVG charts it references.
#
# Usage: benchmarks/publish.sh [bench-results/<timestamp>]   (default: bench-results/latest)
# Exit codes: 0 published; 2 the directory holds no report.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=${1:-$root/bench-results/latest}
if [ ! -f "$src/report.md" ]; then
  echo "publish: dir=$src has no report.md; run benchmarks/run.sh first" >&2
  exit 2
fi
src=$(cd "$src" && pwd -P)
dst="$root/benchmarks/results"
mkdir -p "$dst"
rm -f "$dst"/*.svg
cp "$src"/*.svg "$dst"/
field() { grep -m1 -- "^- \*\*$1\*\*: " "$src/report.md" | sed "s/^- \*\*$1\*\*: //"; }
load=$(grep -m1 '^> load average before the run: ' "$src/report.md" | sed 's/^> load average before the run: //')
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
{
  echo "# wd-mm benchmarks: latest published run"
  echo
  echo "- **command**: $(field command) (from the repository root, as root, with \`-prof gc\`)"
  echo "- **date**: $(field generated) (run directory \`bench-results/$(basename "$src")\`)"
  echo "- **machine**: $(nproc) cores (nproc), CPU \`$cpu\` (/proc/cpuinfo), Linux $(uname -r)," \
       "$(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, JVM $(field JVM)"
  echo "- **load average before the run**: $load. The machine is shared: figures carry noise (the" \
       "± column says how much); read ratios and orders of magnitude, not single nanoseconds."
  echo
  sed -e '1,/^- \*\*JVM\*\*/d' -e 's/^## /### /' "$src/report.md"
} >"$dst/latest.md"
echo "publish: $dst/latest.md and $(ls "$dst"/*.svg | wc -l) charts from $src" >&2
