#!/usr/bin/env bash
# Thread-parallel benchmark: races found per CPU-minute on the racy example,
# `pyrace run --threads 8 --test-iterations BENCH_ROUNDS` (default 5; one
# plain baseline iteration plus BENCH_THREADED iterations in threads,
# default 1) against BENCH_PLAIN plain iterations (default 10), in one run.
# Goal (issue 5): at least 10 times as many races per CPU-minute with
# --threads.
#
# A race found is a distinct failing test of examples/counters (its tests
# either race or pass); the script also counts failing calls (a failing
# plain iteration's test counts once, a threaded test once per failing
# call). CPU time is user + system of pyrace and every process it waited
# for, from /usr/bin/time. Interpreter: BENCH_PYTHON, default the
# free-threaded build scripts/ft-python caches, else /usr/bin/python3.
#
# Usage: bench/threads.sh     (from anywhere)
set -euo pipefail

cd "$(dirname "$0")/.."
plain_n=${BENCH_PLAIN:-10}
threaded_n=${BENCH_THREADED:-1}
rounds=${BENCH_ROUNDS:-5}
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
measure plain -n "$plain_n"
measure threaded -n "$threaded_n" --threads 8 --test-iterations "$rounds"

python3 - "$tmp" "$python" "$plain_n" "$threaded_n" "$rounds" <<'PY'
import json, sys
tmp, python, plain_n, threaded_n, rounds = sys.argv[1:]

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
print("interpreter: %s; project: examples/counters" % python)
print("%-58s %8s %6s %10s %14s" % ("mode", "CPU s", "races", "races/min", "failing calls"))
for label, cpu, races, calls in rows:
    print("%-58s %8.2f %6d %10.1f %14d" % (label, cpu, races, races * 60 / cpu, calls))
(_, pc, pr, _), (_, tc, tr, _) = rows
if pr and tc:
    print("races per CPU-minute, threaded / plain: %.1fx (goal >= 10x)" % ((tr / tc) / (pr / pc)))
else:
    print("races per CPU-minute, threaded / plain: plain found none in %d iterations" % int(plain_n))
PY
