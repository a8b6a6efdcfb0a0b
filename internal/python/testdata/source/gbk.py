# coding: gbk
问候 = '你好，世界'
