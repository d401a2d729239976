// enflow._core: the library's entry points for the Python package (python/enflow). C++
// errors arrive as Python exceptions with their one-line message: std::invalid_argument and
// io::ConfigError as ValueError, std::out_of_range as IndexError, the rest as RuntimeError; the
// library's warnings as Python warnings.
#include <c10/util/Exception.h>
#include <torch/python.h>

#include <exception>
#include <string>

#include "bindings.h"
#include "enflow/io/config.h"
#include "enflow/runtime.h"
#include "enflow/version.h"

namespace py = pybind11;

namespace {

void translate_errors(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const enflow::io::ConfigError& e) {  // a bad config is bad input
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const c10::ValueError& e) {
    PyErr_SetString(PyExc_ValueError, e.what_without_backtrace());
  } catch (const c10::IndexError& e) {
    PyErr_SetString(PyExc_IndexError, e.what_without_backtrace());
  } catch (const c10::TypeError& e) {
    PyErr_SetString(PyExc_TypeError, e.what_without_backtrace());
  } catch (const c10::Error& e) {  // LibTorch's checks carry a C++ backtrace: drop it
    PyErr_SetString(PyExc_RuntimeError, e.what_without_backtrace());
  }
}

// enflow::warn from any thread → warnings.warn (the GIL is taken; if warnings are errors,
// the exception unwinds the C++ call like Ctrl-C does).
void warn_in_python(const std::string& message) {
  py::gil_scoped_acquire gil;
  if (PyErr_WarnEx(PyExc_UserWarning, message.c_str(), 1) != 0) throw py::error_already_set();
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "enflow's C++ library; use the enflow package, not this module.";
  m.attr("__version__") = ENFLOW_VERSION;
  py::register_exception_translator(&translate_errors);
  enflow::set_warning_handler(&warn_in_python);
  enflow::python::bind_nn(m);
  enflow::python::bind_data(m);
  enflow::python::bind_learn(m);
  enflow::python::bind_run(m);
  enflow::python::bind_runtime(m);
}
