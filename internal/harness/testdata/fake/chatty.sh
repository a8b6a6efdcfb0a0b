#!/bin/sh
# Prints forever: only --timeout ends it.
while :; do echo "still working"; sleep 0.1; done
