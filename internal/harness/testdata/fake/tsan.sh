#!/bin/sh
# Passes, but a ThreadSanitizer report is on stderr.
echo "3 passed"
cat "$(dirname "$0")/tsan-report.txt" >&2
exit 0
