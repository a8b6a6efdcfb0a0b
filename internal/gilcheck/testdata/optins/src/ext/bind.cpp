#include <pybind11/pybind11.h>
namespace py = pybind11;

PYBIND11_MODULE(bind, m, py::mod_gil_not_used()) {
    m.def("add", [](int a, int b) { return a + b; });
}

PYBIND11_MODULE(bind_gil, m, py::mod_gil_not_used(false)) {}
