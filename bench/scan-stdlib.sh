#!/usr/bin/env bash
# Self-test on real code: `pyrace scan` over the standard library of every
# CPython on the machine (pyenv's and Debian's), printing findings per rule
# and confidence, and the diagnostics (parse errors are expected only for the
# standard library's deliberately broken test files: badsyntax_*, bad_coding*,
# lib2to3's test data...). Everything at --min-confidence low, as if the code
# were audited with --assume-threaded off.
#
# Usage: bench/scan-stdlib.sh [DIR...]   (default: every stdlib found)
set -euo pipefail

cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/pyrace" ./cmd/pyrace

dirs=("$@")
if [[ ${#dirs[@]} -eq 0 ]]; then
	shopt -s nullglob
	for d in "$HOME"/.pyenv/versions/3.*/lib/python3.* /usr/lib/python3.[0-9]*; do
		[[ -d $d && ! -L $d ]] && dirs+=("$d")
	done
fi
for d in "${dirs[@]}"; do
	"$tmp/pyrace" scan --isolated --no-gitignore --min-confidence low --format json -o "$tmp/out.json" "$d" || true
	python3 - "$d" "$tmp/out.json" <<'PY'
import collections, json, sys
d = json.load(open(sys.argv[2]))
by = collections.Counter((f["rule_id"], f["confidence"]) for f in d["findings"])
rules = sorted({r for r, _ in by})
high = sum(n for (r, c), n in by.items() if c == "high")
print(f"{sys.argv[1]}: {d['files']} files, {len(d['findings'])} findings ({high} high)")
print("  " + "  ".join(f"{r} {by[(r, 'high')]}/{by[(r, 'medium')]}" for r in rules) + "   (high/medium)")
kinds = collections.Counter(x["kind"] for x in d["diagnostics"])
if kinds:
    print("  diagnostics:", dict(kinds))
    for x in d["diagnostics"]:
        if x["kind"] == "parse-error" and not any(s in x["file"] for s in ("bad", "test", "lib2to3")):
            print("  unexpected parse error:", x["file"], x["line"], x.get("message", ""))
PY
done
