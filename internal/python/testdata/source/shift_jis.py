# -*- coding: shift_jis -*-
挨拶 = 'こんにちは、世界'
print(挨拶)
