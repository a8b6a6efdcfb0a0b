# coding: big5
s = '繁體中文'
