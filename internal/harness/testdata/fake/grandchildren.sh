#!/bin/sh
# Forks grandchildren (one level down and two levels down) and then hangs
# without output. $1 is a marker that lets the test find them.
sleep "1000.$1" &
sh -c "sleep 1000.$1 & sleep 1000.$1; :" &
echo "started"
wait
