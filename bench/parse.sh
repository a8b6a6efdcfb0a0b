#!/usr/bin/env bash
# Parse-speed benchmark: pyrace's parser against CPython's ast.parse (and ruff,
# when installed) over the same files, in one run, with ratios.
#
# Corpus: the largest CPython standard library found under
# ~/.pyenv/versions/*/lib/python3.* (by bytes of *.py outside site-packages),
# else /usr/lib/python3.*. Set BENCH_CORPUS=DIR to choose another directory
# and BENCH_PYTHON=PATH for the interpreter whose ast.parse is timed (default:
# the corpus's own interpreter, so that the grammar matches).
#
# Every tool gets the same explicit list of files. Each measurement is the best
# wall time of BENCH_RUNS runs (default 3). pyrace and ruff are timed as whole
# processes; ast.parse is timed inside the interpreter (reading and parsing
# every file), so interpreter start-up is not counted against it. MB is 10^6
# bytes. Files that fail to parse are counted, not fatal: the standard library
# ships a few files with deliberate syntax and encoding errors.
#
# Usage: bench/parse.sh      (from the repository root; `make bench` runs it)
set -euo pipefail

cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-3}
ncpu=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=bench/corpus.sh
source bench/corpus.sh
corpus=$(bench_corpus)
if [[ -z $corpus || ! -d $corpus ]]; then
	echo "bench/parse.sh: no CPython standard library found; set BENCH_CORPUS=DIR" >&2
	exit 2
fi

python=${BENCH_PYTHON:-}
if [[ -z $python ]]; then
	ver=$(basename "$corpus") # python3.13
	for cand in "$corpus/../../bin/$ver" "$corpus/../../bin/python3" "$(command -v python3 || true)"; do
		if [[ -n $cand && -x $cand ]]; then
			python=$(readlink -f "$cand")
			break
		fi
	done
fi
if [[ -z $python ]]; then
	echo "bench/parse.sh: no Python interpreter found; set BENCH_PYTHON=PATH" >&2
	exit 2
fi

find "$corpus" -path '*/site-packages' -prune -o -name '*.py' -type f -print | LC_ALL=C sort >"$tmp/files"
mapfile -t files <"$tmp/files"
bytes=$(xargs -d '\n' stat -c %s <"$tmp/files" | awk '{ s += $1 } END { print s + 0 }')

echo "corpus:  $corpus"
echo "files:   ${#files[@]} ($(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB)"
echo "python:  $python ($("$python" -c 'import sys; print(sys.version.split()[0])'))"
echo "cores:   $ncpu; best of $runs runs"
echo

go build -o "$tmp/pyrace" ./cmd/pyrace

# now_ns prints a monotonic-enough timestamp in nanoseconds.
now_ns() { date +%s%N; }

# best_of CMD... runs CMD $runs times (output discarded, exit status ignored)
# and prints the fastest wall time in seconds.
best_of() {
	local best="" t0 t1 s
	for ((i = 0; i < runs; i++)); do
		t0=$(now_ns)
		"$@" >/dev/null 2>&1 || true
		t1=$(now_ns)
		s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (b - a) / 1e9 }')
		if [[ -z $best ]] || awk -v s="$s" -v b="$best" 'BEGIN { exit !(s < b) }'; then
			best=$s
		fi
	done
	echo "$best"
}

# The ast.parse timer: reads the file list, parses every file (reading
# included) in one process or a pool of processes, prints the best seconds.
cat >"$tmp/astbench.py" <<'EOF'
import ast
import multiprocessing
import sys
import time
import warnings


def parse_one(path):
    with open(path, "rb") as f:
        src = f.read()
    try:
        ast.parse(src, path)
        return 0
    except (SyntaxError, ValueError, UnicodeDecodeError):
        return 1


def parse_chunk(paths):
    return sum(parse_one(p) for p in paths)


def main():
    warnings.simplefilter("ignore")
    list_file, procs, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with open(list_file) as f:
        paths = f.read().splitlines()
    best = None
    for _ in range(runs):
        start = time.perf_counter()
        if procs == 1:
            errors = parse_chunk(paths)
        else:
            chunks = [paths[i::procs * 8] for i in range(procs * 8)]
            with multiprocessing.Pool(procs) as pool:
                errors = sum(pool.map(parse_chunk, chunks))
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print("%.6f %d" % (best, errors))


if __name__ == "__main__":
    main()
EOF

names=()
secs=()
add() {
	names+=("$1")
	secs+=("$2")
}

read -r s errs < <("$python" "$tmp/astbench.py" "$tmp/files" 1 "$runs")
add "CPython ast.parse, 1 process" "$s"
ast1=$s
ast_errs=$errs
read -r s _ < <("$python" "$tmp/astbench.py" "$tmp/files" "$ncpu" "$runs")
add "CPython ast.parse, $ncpu processes" "$s"

add "pyrace parse --jobs 1" "$(best_of "$tmp/pyrace" parse --jobs 1 "${files[@]}")"
add "pyrace parse --jobs $ncpu" "$(best_of "$tmp/pyrace" parse --jobs "$ncpu" "${files[@]}")"
pyrace_errs=$("$tmp/pyrace" parse --jobs "$ncpu" "${files[@]}" 2>&1 >/dev/null | cut -d: -f1 | sort -u | wc -l || true)

if command -v ruff >/dev/null 2>&1; then
	ruff_cmd=(ruff check --no-cache --isolated --exit-zero --quiet --select E9)
	add "ruff check, 1 thread" "$(RAYON_NUM_THREADS=1 best_of "${ruff_cmd[@]}" "${files[@]}")"
	add "ruff check, $ncpu threads" "$(best_of "${ruff_cmd[@]}" "${files[@]}")"
else
	echo "(ruff not installed: skipped)"
fi

echo "files with errors: ast.parse $ast_errs, pyrace $pyrace_errs"
echo
printf '%-34s %10s %10s %14s\n' tool seconds MB/s "vs ast.parse"
printf '%-34s %10s %10s %14s\n' ---- ------- ---- ------------
for i in "${!names[@]}"; do
	awk -v n="${names[$i]}" -v s="${secs[$i]}" -v b="$bytes" -v a="$ast1" 'BEGIN {
		printf "%-34s %10.3f %10.1f %13.2fx\n", n, s, (s > 0 ? b / 1e6 / s : 0), (s > 0 ? a / s : 0)
	}'
done

# Memory follows the largest file, not the corpus: compare pyrace's peak
# resident memory on the corpus with that on every standard library found.
echo
shopt -s nullglob
all=()
for dir in "$HOME"/.pyenv/versions/*/lib/python3.* /usr/lib/python3.*; do
	[[ -d $dir && ! -L $dir ]] && all+=("$dir")
done
shopt -u nullglob
mem() {
	"$tmp/pyrace" parse --stats --format json --jobs "$ncpu" "$@" 2>/dev/null |
		awk -F'[:,]' '/"bytes"/ { b = $2 } /largest_file_bytes/ { l = $2 } /peak_memory_bytes/ { p = $2 }
			END { printf "%8.1f MB of source, largest file %5.2f MB: peak memory %6.1f MB\n", b / 1e6, l / 1e6, p / 1e6 }'
}
echo "pyrace --jobs $ncpu memory (peak resident set):"
echo "  corpus:               $(mem "$corpus")"
if ((${#all[@]} > 1)); then
	echo "  all ${#all[@]} stdlibs found: $(mem "${all[@]}")"
fi
