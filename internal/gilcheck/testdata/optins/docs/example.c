#include <Python.h>

static PyModuleDef_Slot one_line_slots[] = {
    {Py_mod_exec, one_line_exec},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL},
};
