# PEP 750 template strings (Python 3.14).
name = "world"
width = 10
a = t"hello {name}"
b = t'{name!r:>{width}} and {name=} and { name = !s}'
c = t"""multi
line {name
      .upper()} end"""
d = t"{{literal}} {name:{'<' if width else '>'}{width}}"
e = t"a" t"{name}" t""
f = rt"\d+{name}\n"
g = tr'{name}\{x}'
h = t"{name!a}" T"{width:#x}"
i = t"{ (yield) }" if False else None
j = t"{t'{name}'}"
k = t"{1:{2:{3}}}"
l = t"{name =   }"
m = f"{name}" f"{t'{name}'}"
n = t"{  name  }"
o = t"{name  =  !r:  >10  }"
