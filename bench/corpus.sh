# Sourced by the bench scripts: the corpus they share.

# pybytes DIR prints the bytes of *.py under DIR outside site-packages.
pybytes() {
	find "$1" -path '*/site-packages' -prune -o -name '*.py' -type f -printf '%s\n' |
		awk '{ s += $1 } END { print s + 0 }'
}

# bench_corpus prints $BENCH_CORPUS, else the largest CPython standard
# library (by bytes of *.py outside site-packages) under
# ~/.pyenv/versions/*/lib/python3.* and /usr/lib/python3.*, else nothing.
bench_corpus() {
	if [[ -n ${BENCH_CORPUS:-} ]]; then
		echo "$BENCH_CORPUS"
		return
	fi
	local best=0 corpus="" dir size
	for dir in "$HOME"/.pyenv/versions/*/lib/python3.* /usr/lib/python3.*; do
		[[ -d $dir && ! -L $dir ]] || continue
		size=$(pybytes "$dir")
		if ((size > best)); then
			best=$size
			corpus=$dir
		fi
	done
	echo "$corpus"
}
