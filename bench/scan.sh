#!/usr/bin/env bash
# Scan-speed benchmark: `pyrace scan` against `pyrace parse` over the same
# files, in one run, single core and all cores, with ratios (and `ruff check`
# when installed, for scale).
#
# Corpus: the largest CPython standard library found under
# ~/.pyenv/versions/*/lib/python3.* (by bytes of *.py outside site-packages),
# else /usr/lib/python3.*; BENCH_CORPUS=DIR chooses another. Each figure is
# the best wall time of BENCH_RUNS runs (default 5). The scan runs every rule
# at --min-confidence low (all the work, all the output) with --isolated and
# --no-gitignore, writing JSON to /dev/null; parse and scan runs take turns. Goals (issue 4): the scan adds at
# most 50% to parsing, and the whole stdlib (~33 MB) takes under 1.5 s on two
# cores.
#
# Usage: bench/scan.sh     (from anywhere; `make bench` runs it)
#        BENCH_IR=1 bench/scan.sh   (also instruction counts, with valgrind)
set -euo pipefail

cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-5}
ncpu=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=bench/corpus.sh
source bench/corpus.sh
corpus=$(bench_corpus)
[[ -n $corpus ]] || { echo "no corpus found; set BENCH_CORPUS" >&2; exit 1; }
bytes=$(pybytes "$corpus")
go build -o "$tmp/pyrace" ./cmd/pyrace

# elapsed CMD... prints the wall time of one run of CMD in seconds.
elapsed() {
	local start end
	start=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || true
	end=$(date +%s.%N)
	awk -v a="$end" -v b="$start" 'BEGIN { print a - b }'
}

# min A B prints the smaller number ("" counts as infinity).
min() {
	if [[ -z $1 ]] || awk -v t="$2" -v b="$1" 'BEGIN { exit !(t < b) }'; then echo "$2"; else echo "$1"; fi
}

# best CMD... prints the best wall time in seconds of $runs runs.
best() {
	local best=""
	for _ in $(seq "$runs"); do
		best=$(min "$best" "$(elapsed "$@")")
	done
	echo "$best"
}

printf 'corpus: %s (%.1f MB of *.py)\n' "$corpus" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')"
printf '%-28s %8s %9s %8s\n' tool seconds MB/s "vs parse"
report() { # name seconds baseline
	awk -v n="$1" -v s="$2" -v b="$3" -v bytes="$bytes" \
		'BEGIN { printf "%-28s %8.3f %9.1f %8.2f\n", n, s, bytes / 1e6 / s, s / b }'
}
for jobs in 1 "$ncpu"; do
	# Parse and scan take turns, so that both see the same machine (a
	# shared VM's speed drifts over seconds).
	parse="" scan=""
	for _ in $(seq "$runs"); do
		parse=$(min "$parse" "$(elapsed "$tmp/pyrace" parse --jobs "$jobs" "$corpus")")
		scan=$(min "$scan" "$(elapsed "$tmp/pyrace" scan --isolated --no-gitignore --min-confidence low --jobs "$jobs" --format json -o /dev/null "$corpus")")
	done
	report "pyrace parse --jobs $jobs" "$parse" "$parse"
	report "pyrace scan --jobs $jobs" "$scan" "$parse"
done
if command -v ruff >/dev/null; then
	ruff_s=$(best ruff check --no-cache --select ALL --exit-zero "$corpus")
	report "ruff check --select ALL" "$ruff_s" "$parse"
fi

# BENCH_IR=1 adds instruction counts (valgrind, one core): deterministic to
# about 1%, where wall times on a shared machine drift by 10% or more. They
# do not see cache misses, which cost the scan more than the parser.
if [[ ${BENCH_IR:-} == 1 ]] && command -v valgrind >/dev/null; then
	irefs() { # the stdlib has files that do not parse: exit status 2
		local out
		out=$(GOMAXPROCS=1 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 >/dev/null || true)
		awk '/I *refs/ { gsub(",", "", $4); print $4 }' <<<"$out"
	}
	parse_ir=$(irefs "$tmp/pyrace" parse --jobs 1 "$corpus")
	scan_ir=$(irefs "$tmp/pyrace" scan --isolated --no-gitignore --min-confidence low --jobs 1 --format json -o /dev/null "$corpus")
	awk -v p="$parse_ir" -v s="$scan_ir" 'BEGIN {
		printf "%-28s %8.2fG instructions\n", "pyrace parse (1 core)", p / 1e9
		printf "%-28s %8.2fG instructions %8.2f vs parse\n", "pyrace scan (1 core)", s / 1e9, s / p
	}'
fi
