from ..a import DOUBLE

TRIPLE = DOUBLE + 1
