#!/usr/bin/env bash
# Thread-parallel benchmark: races found per CPU-minute on the racy example,
# `pyrace run --threads 8 --test-iterations BENCH_ROUNDS` (default 5; one
# plain baseline iteration plus BENCH_THREADED iterations in threads,
# default 1) against BENCH_PLAIN plain iterations (default 10), in one run.
# Goal (issue 5): at least 10 times as many races per CPU-minute with
# --threads.
#
# Two counts of races found, each per CPU-minute: the distinct failing tests
# of examples/counters (its tests either race or pass; four of them race,
# three are built to catch their race in plain runs now and then, one is
# single-threaded), and the failing calls, the race's manifestations (a
# failing test of a plain iteration counts once, a threaded test once per
# failing call). CPU time is user + system of pyrace and every process it waited
# for, from /usr/bin/time. Interpreter: BENCH_PYTHON, default the
# free-threaded build scripts/ft-python caches, else /usr/bin/python3.
# BENCH_PAIRS (default 3) pairs of runs; the ratio is given per pair (how
# many races 10 plain iterations find varies from run to run).
#
# Usage: bench/threads.sh     (from anywhere)
set -euo pipefail

cd "$(dirname "$0")/.."
plain_n=${BENCH_PLAIN:-10}
threaded_n=${BENCH_THREADED:-1}
rounds=${BENCH_ROUNDS:-5}
pairs=${BENCH_PAIRS:-3}
python=${BENCH_PYTHON:-}
if [[ -z $python ]]; then
	ft="${PYRACE_CACHE:-$HOME/.cache/pyrace}/ft-python/3.13.5-2+deb13u5/bin/python3.13t"
	if [[ -x $ft ]]; then python=$ft; else python=/usr/bin/python3; fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/pyrace" ./cmd/pyrace

# measure NAME ARGS...: runs pyrace run on the example, JSON to NAME.json,
# CPU seconds to NAME.cpu.
measure() {
	local name=$1
	shift
	/usr/bin/time -f "%U %S" -o "$tmp/$name.time" "$tmp/pyrace" run -C examples/counters --python "$python" \
		--no-gil-probe --results-dir "$tmp/results" --format json "$@" >"$tmp/$name.json" 2>"$tmp/$name.err" || true
	awk '{ print $1 + $2 }' "$tmp/$name.time" >"$tmp/$name.cpu"
}

echo "interpreter: $python; project: examples/counters; $pairs pairs of runs"
printf '%-4s %-58s %8s %6s %10s %14s\n' pair mode "CPU s" races races/min "failing calls"
for pair in $(seq "$pairs"); do
	measure plain -n "$plain_n"
	measure threaded -n "$threaded_n" --threads 8 --test-iterations "$rounds"
	python3 - "$tmp" "$plain_n" "$threaded_n" "$rounds" "$pair" <<'PY' | tee -a "$tmp/ratios"
import json, sys
tmp, plain_n, threaded_n, rounds, pair = sys.argv[1:]

def load(name):
    rec = json.load(open("%s/%s.json" % (tmp, name)))["records"][0]
    cpu = float(open("%s/%s.cpu" % (tmp, name)).read())
    tests = set()
    calls = 0
    for it in rec["iterations"]:
        if it["mode"] == "plain":
            continue
        for t in it.get("failed_tests") or []:
            tests.add(t["id"])
            th = t.get("threads")
            calls += th["failures"] if th else 1
    return cpu, tests, calls

rows = []
for name, label in (("plain", "%s plain iterations" % plain_n),
                    ("threaded", "--threads 8 --test-iterations %s, %s iteration(s) + baseline" % (rounds, threaded_n))):
    cpu, tests, calls = load(name)
    rows.append((label, cpu, len(tests), calls))
    print("%-4s %-58s %8.2f %6d %10.1f %14d" % (pair, label, cpu, len(tests), len(tests) * 60 / cpu, calls), file=sys.stderr)
(_, pc, pr, pf), (_, tc, tr, tf) = rows
ratio = lambda t, tcpu, p, pcpu: "%.2f" % ((t / tcpu) / (p / pcpu)) if p and tcpu else "inf"
print(ratio(tr, tc, pr, pc), ratio(tf, tc, pf, pc))
PY
done 2>&1 >/dev/null | cat
summary() { # column what
	sort -g -k"$1" "$tmp/ratios" | awk -v c="$1" -v what="$2" '{ r[NR] = $c } END {
		printf "%s per CPU-minute, threaded / plain, per pair: min %s, median %s, max %s\n", what, r[1], r[int((NR + 1) / 2)], r[NR] }'
}
summary 1 "distinct racy tests found"
summary 2 "failing calls (race manifestations)"
echo "goal (issue 5): >= 10x"
