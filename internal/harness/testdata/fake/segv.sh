#!/bin/sh
# Dies of SIGSEGV, as a crashing interpreter does.
echo "collected 3 items"
kill -SEGV $$
