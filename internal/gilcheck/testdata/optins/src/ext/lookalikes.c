#include <Python.h>

// {Py_mod_gil, Py_MOD_GIL_NOT_USED} would be the opt-in; this is a comment.
/*
 * {Py_mod_gil, Py_MOD_GIL_NOT_USED} in a block comment.
 */
#if defined(Py_mod_gil) && Py_mod_gil_extra
#define Py_mod_gil 4
#endif
PyAPI_FUNC(int) PyUnstable_Module_SetGIL(PyObject *module, void *gil);
static int gil_used_count = 0;
