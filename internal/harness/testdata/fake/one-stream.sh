#!/bin/sh
# Writes to one stream only ($1: out or err), every 0.2 s for $2 seconds:
# never silent on both streams, so never a stall.
i=0
end=$(( $2 * 5 ))
while [ $i -lt $end ]; do
	if [ "$1" = out ]; then echo "tick $i"; else echo "tick $i" >&2; fi
	sleep 0.2
	i=$((i + 1))
done
exit 0
