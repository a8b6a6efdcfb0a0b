y = 1
if y:
	z = """a
b"""
w = 2
