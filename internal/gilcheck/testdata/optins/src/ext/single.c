#include <Python.h>

PyMODINIT_FUNC
PyInit_single(void)
{
    PyObject *m = PyModule_Create(&single_module);
#ifdef Py_GIL_DISABLED
    PyUnstable_Module_SetGIL(m,
                             Py_MOD_GIL_NOT_USED);
#endif
    return m;
}
