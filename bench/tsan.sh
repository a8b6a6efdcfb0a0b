#!/usr/bin/env bash
# TSAN log benchmark: `pyrace tsan` (one core, then all: a large log is read
# in sections at once) against `grep -c 'WARNING: ThreadSanitizer'` (one
# core) over the same large synthetic log, in one run, with throughput and
# peak memory, which is also measured over the first fifth of the log to
# show that it does not follow the log's size. Goal (issue 6): at least a
# third of grep's throughput, with memory that does not grow with the log.
#
# The log (BENCH_MB megabytes, default 500, written to a temporary file) is
# made of the real reports in internal/tsan/testdata, their pids, thread ids
# and addresses varied, between lines of test output and tracebacks: about
# one line in twenty belongs to a report. Each figure is the best of
# BENCH_RUNS runs (default 3), the two tools taking turns.
#
# Usage: bench/tsan.sh     (from anywhere)
set -euo pipefail

cd "$(dirname "$0")/.."
mb=${BENCH_MB:-500}
runs=${BENCH_RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/pyrace" ./cmd/pyrace

python3 - "$tmp/big.log" "$mb" internal/tsan/testdata/*.txt <<'PY'
import random, re, sys
out, mb, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
reports = []
for f in files:
    text = open(f, encoding="utf-8", errors="replace").read().replace("\r\n", "\n")
    for block in re.findall(r"==================\n(WARNING: ThreadSanitizer:.*?)\n==================", text, re.S):
        reports.append(block)
rng = random.Random(1)
noise = [
    "tests/test_module_%d.py::TestThing::test_case_%d PASSED                       [ %d%%]",
    "Traceback (most recent call last):\n  File \"/home/u/proj/tests/test_%d.py\", line %d, in test_case\nAssertionError: expected %d",
]
target = mb << 20
written = 0
with open(out, "w") as f:
    i = 0
    while written < target:
        i += 1
        if i % 20 == 0:
            r = rng.choice(reports)
            r = re.sub(r"pid=\d+", "pid=%d" % rng.randrange(1000, 99999), r)
            r = re.sub(r"0x[0-9a-f]{8,}", lambda m: "0x%012x" % rng.randrange(1 << 44), r)
            chunk = "==================\n" + r + "\n==================\n"
        else:
            n = noise[i % 7 == 0]
            chunk = (n % (i % 50, i, i % 100)) + "\n"
        f.write(chunk)
        written += len(chunk)
PY
bytes=$(stat -c %s "$tmp/big.log")

# measure CMD...: prints "seconds peak-KB" for one run. Output goes to a
# file: GNU grep stops at the first match when its output is /dev/null.
measure() {
	/usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >"$tmp/out" 2>&1 || true
	tail -1 "$tmp/time" # after "Command exited with non-zero status N"
}
ncpu=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)
best_p="" best_a="" best_g="" mem_p="" mem_a="" mem_g=""
for _ in $(seq "$runs"); do
	read -r s m < <(measure "$tmp/pyrace" tsan -j 1 --format json -o /dev/null "$tmp/big.log")
	if [[ -z $best_p ]] || awk -v a="$s" -v b="$best_p" 'BEGIN { exit !(a < b) }'; then best_p=$s; mem_p=$m; fi
	read -r s m < <(measure "$tmp/pyrace" tsan --format json -o /dev/null "$tmp/big.log")
	if [[ -z $best_a ]] || awk -v a="$s" -v b="$best_a" 'BEGIN { exit !(a < b) }'; then best_a=$s; mem_a=$m; fi
	read -r s m < <(measure grep -c 'WARNING: ThreadSanitizer' "$tmp/big.log")
	if [[ -z $best_g ]] || awk -v a="$s" -v b="$best_g" 'BEGIN { exit !(a < b) }'; then best_g=$s; mem_g=$m; fi
done
# Memory must not follow the log's size: the same run over a fifth of it.
head -c $((bytes / 5)) "$tmp/big.log" >"$tmp/small.log"
read -r _ mem_s < <(measure "$tmp/pyrace" tsan -j 1 --format json -o /dev/null "$tmp/small.log")
reports=$(grep -c 'WARNING: ThreadSanitizer' "$tmp/big.log")
printf 'log: %.0f MB, %d reports\n' "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$reports"
printf '%-44s %8s %9s %12s\n' tool seconds MB/s "peak RSS MB"
awk -v b="$bytes" -v s="$best_p" -v m="$mem_p" 'BEGIN { printf "%-44s %8.2f %9.1f %12.1f\n", "pyrace tsan -j 1 --format json", s, b / 1e6 / s, m / 1024 }'
awk -v b="$bytes" -v s="$best_a" -v m="$mem_a" -v n="$ncpu" 'BEGIN { printf "%-44s %8.2f %9.1f %12.1f\n", "pyrace tsan --format json (" n " cores)", s, b / 1e6 / s, m / 1024 }'
awk -v b="$bytes" -v s="$best_g" -v m="$mem_g" 'BEGIN { printf "%-44s %8.2f %9.1f %12.1f\n", "grep -c \"WARNING: ThreadSanitizer\"", s, b / 1e6 / s, m / 1024 }'
awk -v b="$bytes" -v m="$mem_s" 'BEGIN { printf "%-44s %8s %9s %12.1f\n", "pyrace tsan -j 1, first fifth of the log", "", "", m / 1024 }'
awk -v p="$best_p" -v a="$best_a" -v g="$best_g" 'BEGIN { printf "pyrace throughput / grep throughput: %.2f on one core, %.2f on all (goal >= 0.33)\n", g / p, g / a }'
