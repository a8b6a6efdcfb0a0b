#!/bin/sh
# Fails every other invocation: a counter file named by FLAKY_COUNTER.
n=$(cat "$FLAKY_COUNTER" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$FLAKY_COUNTER"
echo "run $n"
if [ $((n % 2)) -eq 0 ]; then
	echo "FAILED tests/test_x.py::test_race - AssertionError" >&2
	exit 1
fi
exit 0
