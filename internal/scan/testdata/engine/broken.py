def broken(:
    pass

x = 1
