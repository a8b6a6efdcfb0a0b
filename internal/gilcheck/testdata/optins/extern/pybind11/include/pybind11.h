class mod_gil_not_used {
public:
    explicit mod_gil_not_used(bool flag = true) : flag_(flag) {}
};
// PYBIND11_MODULE(pybind11_tests, m, py::mod_gil_not_used())
