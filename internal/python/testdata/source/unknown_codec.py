# -*- coding: uft-8 -*-
print('typo in the codec name')
