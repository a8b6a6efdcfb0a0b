#!/usr/bin/env bash
# Harness-overhead benchmark: the same test command run N times bare and N
# times under `pyrace run`, in one run, with the overhead per iteration.
# The goal is at most 3% + 50 ms per iteration.
#
# Command: `python -m pytest -q` in examples/clean (BENCH_PROJECT=DIR to choose
# another project) with BENCH_PYTHON (default: the free-threaded interpreter
# scripts/ft-python caches, else /usr/bin/python3). Bare runs get the same
# PYTHON_GIL, PYTHONDONTWRITEBYTECODE and PYTHONUNBUFFERED as pyrace's; what
# pyrace adds (process group, output copied to files, stall watch, our
# sitecustomize and pytest plugin writing per-test JSONL, classification,
# fsynced records) is the overhead measured. pyrace's own start-up (probing
# the interpreter) is counted once, as part of the total; the GIL import
# probe is off (--no-gil-probe), as it runs once per run, not per iteration.
#
# Usage: bench/run-overhead.sh     (from anywhere; BENCH_ITERATIONS=20)
set -euo pipefail

cd "$(dirname "$0")/.."
n=${BENCH_ITERATIONS:-20}
project=$(realpath "${BENCH_PROJECT:-examples/clean}")
python=${BENCH_PYTHON:-}
if [[ -z $python ]]; then
	ft="${PYRACE_CACHE:-$HOME/.cache/pyrace}/ft-python/3.13.5-2+deb13u5/bin/python3.13t"
	if [[ -x $ft ]]; then python=$ft; else python=/usr/bin/python3; fi
fi
gil=""
if "$python" -c 'import sys, sysconfig; sys.exit(0 if sysconfig.get_config_var("Py_GIL_DISABLED") else 1)'; then
	gil=0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/pyrace" ./cmd/pyrace

now() { date +%s.%N; }

echo "project:     $project"
echo "interpreter: $python"
echo "iterations:  $n"

# Warm the page cache once.
(cd "$project" && PYTHON_GIL=$gil "$python" -m pytest -q -p no:cacheprovider >/dev/null 2>&1) || true

start=$(now)
for _ in $(seq "$n"); do
	(cd "$project" && env ${gil:+PYTHON_GIL=$gil} PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
		"$python" -m pytest -q -p no:cacheprovider >/dev/null 2>&1) || true
done
bare=$(awk -v a="$(now)" -v b="$start" 'BEGIN { print a - b }')

start=$(now)
"$tmp/pyrace" run --python "$python" -C "$project" -n "$n" --no-gil-probe \
	--results-dir "$tmp/results" -- python -m pytest -q -p no:cacheprovider >/dev/null 2>&1 || true
harness=$(awk -v a="$(now)" -v b="$start" 'BEGIN { print a - b }')

awk -v n="$n" -v bare="$bare" -v harness="$harness" 'BEGIN {
	per_bare = bare / n; per_h = harness / n; over = per_h - per_bare
	printf "bare:        %.3f s total, %.1f ms per iteration\n", bare, per_bare * 1000
	printf "pyrace run:  %.3f s total, %.1f ms per iteration\n", harness, per_h * 1000
	printf "overhead:    %.1f ms per iteration (%.1f%%); goal <= 3%% + 50 ms = %.1f ms\n",
		over * 1000, 100 * over / per_bare, (0.03 * per_bare + 0.05) * 1000
	printf "ratio:       %.3f\n", harness / bare
}'
