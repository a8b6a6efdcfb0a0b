use pyo3::prelude::*;

#[pymodule(gil_used = false)]
fn fast(m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}

// #[pymodule(gil_used = false)] in a comment is no opt-in.
#[pymodule]
fn other(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.gil_used(false)?;
    Ok(())
}
