#!/bin/sh
# A shell wrapper reporting a crashed child as exit status 128+11.
sh -c 'kill -SEGV $$'
exit $?
