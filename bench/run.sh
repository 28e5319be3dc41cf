#!/usr/bin/env bash
# Start-up benchmarks of minijail0 against bare exec and bubblewrap, all in
# one hyperfine run per group so the ratios are comparable. Prints medians.
#
#   bench/run.sh            # everything
#   RUNS=500 bench/run.sh   # more runs
#
# Needs hyperfine and bubblewrap (Debian packages); installs them if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=0
RUNS=${RUNS:-300}
out=${OUT:-bench/results}
mkdir -p "$out"

for pkg in hyperfine:hyperfine bwrap:bubblewrap; do
  command -v "${pkg%%:*}" >/dev/null || { apt-get update -qq && apt-get install -y -qq "${pkg##*:}" >/dev/null; }
done

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -trimpath -o "$bin/minijail0" ./cmd/minijail0
chmod 755 "$bin"
mj=$bin/minijail0
true_bin=/bin/true

medians() { # file.json -> "name median_ms" lines
  python3 - "$1" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f'{r["median"]*1000:8.3f} ms  {r["command"]}')
PY
}

echo "== issue 2: start-up (median of $RUNS runs)"
hyperfine -N -w 30 -r "$RUNS" --export-json "$out/core.json" \
  "$true_bin" \
  "$mj -- $true_bin" \
  "$mj -u nobody -g nogroup -c 0 -n -- $true_bin" >/dev/null
medians "$out/core.json"

echo "== issue 4: W1 namespaces vs bubblewrap"
hyperfine -N -w 30 -r "$RUNS" --export-json "$out/w1.json" \
  "$true_bin" \
  "$mj -p -v -r -e -l --uts -- $true_bin" \
  "bwrap --unshare-pid --unshare-ipc --unshare-uts --unshare-net --bind / / --proc /proc --dev /dev $true_bin" >/dev/null
medians "$out/w1.json"

echo "== issue 4: W2 user namespace, run by uid 65534"
hyperfine -N -w 30 -r "$RUNS" --export-json "$out/w2.json" \
  "setpriv --reuid=65534 --regid=65534 --clear-groups $mj -U -m -M -p -v -r -e -l --uts -- $true_bin" \
  "setpriv --reuid=65534 --regid=65534 --clear-groups bwrap --unshare-user --uid 0 --gid 0 --unshare-pid --unshare-ipc --unshare-uts --unshare-net --bind / / --proc /proc --dev /dev $true_bin" >/dev/null
medians "$out/w2.json"

echo "== issue 4: 100 W1 jails, 8 at a time"
hyperfine -N -w 2 -r 10 --export-json "$out/w1x100.json" \
  "bash -c 'seq 100 | xargs -P8 -I{} $mj -p -v -r -e -l --uts -- $true_bin'" \
  "bash -c 'seq 100 | xargs -P8 -I{} bwrap --unshare-pid --unshare-ipc --unshare-uts --unshare-net --bind / / --proc /proc --dev /dev $true_bin'" >/dev/null
medians "$out/w1x100.json"
go test -run '^$' -bench 'BenchmarkW1Parallel' -benchtime 200x . | grep -E '^Benchmark'

echo "== issue 4: resident memory while a -p jail sleeps"
$mj -p -v -r -e -l --uts -- /bin/sleep 2 &
mjpid=$!
sleep 0.5
init=$(pgrep -P "$mjpid" | head -1)
printf 'minijail0 VmRSS: %s\n' "$(grep VmRSS /proc/$mjpid/status | awk '{print $2, $3}')"
printf 'init      VmRSS: %s\n' "$(grep VmRSS /proc/$init/status | awk '{print $2, $3}')"
wait "$mjpid"
