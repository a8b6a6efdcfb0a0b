from setuptools import setup
from Cython.Build import cythonize

# compiler_directives={"freethreading_compatible": True} was tried before.
setup(ext_modules=cythonize("src/ext/*.pyx",
                            compiler_directives={"freethreading_compatible": True}))
