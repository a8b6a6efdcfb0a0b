#!/bin/sh
# pytest's "no tests collected".
echo "collected 0 items"
exit 5
