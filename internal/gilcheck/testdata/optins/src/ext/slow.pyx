# cython: language_level=3
# A directive mentioned in prose is no opt-in: freethreading_compatible
x = "freethreading_compatible=True"
