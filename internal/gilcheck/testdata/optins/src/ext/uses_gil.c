#include <Python.h>

static PyModuleDef_Slot uses_gil_slots[] = {
    {Py_mod_gil, Py_MOD_GIL_USED},
    {0, NULL},
};
