# coding: euc-kr
s = '안녕하세요'
