#include <Python.h>

/* The slot is spread over lines, with comments in between. */
static PyModuleDef_Slot split_slots[] = {
    {Py_mod_exec, split_exec},
#ifdef Py_mod_gil
    {
        Py_mod_gil,   /* free-threading: */
        // this module keeps no global state
        Py_MOD_GIL_NOT_USED
    },
#endif
    {.slot = Py_mod_gil, .value = Py_MOD_GIL_NOT_USED},
    {0, NULL},
};
