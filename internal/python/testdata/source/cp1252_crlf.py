# vim: set fileencoding=cp1252 :
quote = '“smart quotes” – € …'
print(quote)
