# coding: utf8
print('BOM plus a cookie that does not normalise to utf-8')
