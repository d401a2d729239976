// HDF5 datasets through the HDF5 C API (see include/enflow/io/dataset.h for the layout).
// A build with -DENFLOW_WITH_HDF5=OFF (for machines without the library, such as a GPU
// machine that only runs the benchmarks) keeps the validation and refuses to read or write.
#include "enflow/io/dataset.h"

#if ENFLOW_WITH_HDF5
#include <hdf5.h>
#endif
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "enflow/io/atomic_file.h"
#include "enflow/version.h"

namespace enflow::io {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error("dataset '" + path + "': " + what);
}

std::string shape_of(const at::Tensor& t) {
  std::ostringstream s;
  s << t.sizes();
  return s.str();
}

/// Shared validation for save and load; `where` names the file.
void validate(const Dataset& d, const std::string& where) {
  if (!d.states.defined()) fail(where, "no states");
  if (d.states.dim() != 3)
    fail(where, "states must be [series, steps, dim], got rank " + std::to_string(d.states.dim()) +
                    " " + shape_of(d.states));
  const auto S = d.states.size(0), T = d.states.size(1);
  if (S < 1 || T < 1 || d.states.size(2) < 1) fail(where, "states are empty " + shape_of(d.states));
  if (!torch::isfinite(d.states).all().item<bool>())
    fail(where, "states contain NaN or infinite values");
  if (d.learned_energy.defined() && (d.learned_energy.dim() != 2 || d.learned_energy.size(0) != S ||
                                     d.learned_energy.size(1) != T))
    fail(where, "learned_energy must be [" + std::to_string(S) + ", " + std::to_string(T) +
                    "] to match states " + shape_of(d.states) + ", got " +
                    shape_of(d.learned_energy));
  if (!d.t.defined()) fail(where, "no time stamps t");
  const bool t1 = d.t.dim() == 1 && d.t.size(0) == T;
  const bool t2 = d.t.dim() == 2 && d.t.size(0) == S && d.t.size(1) == T;
  if (!t1 && !t2)
    fail(where, "t must be [" + std::to_string(T) + "] or [" + std::to_string(S) + ", " +
                    std::to_string(T) + "] to match states " + shape_of(d.states) + ", got " +
                    shape_of(d.t));
  if (!torch::isfinite(d.t).all().item<bool>()) fail(where, "t contains NaN or infinite values");
  if (!std::isfinite(d.dt) || d.dt < 0) fail(where, "dt must be finite and >= 0");
  if (!std::isfinite(d.noise) || d.noise < 0) fail(where, "noise must be finite and >= 0");
  for (const auto& [k, v] : d.params)
    if (!std::isfinite(v)) fail(where, "parameter '" + k + "' is not finite");
  if (!d.lengths.empty()) {
    if (static_cast<int64_t>(d.lengths.size()) != S)
      fail(where, "lengths has " + std::to_string(d.lengths.size()) + " entries for " +
                      std::to_string(S) + " series");
    for (auto n : d.lengths)
      if (n < 1 || n > T)
        fail(where,
             "series length " + std::to_string(n) + " out of range [1, " + std::to_string(T) + "]");
  }
  if (!d.grid.empty()) {
    int64_t points = 1;
    for (auto n : d.grid) {
      if (n < 1) fail(where, "grid axes must have at least one point");
      points *= n;
    }
    if (d.grid.size() > 3 || points != d.states.size(2))
      fail(where, "grid of " + std::to_string(d.grid.size()) + " axes and " +
                      std::to_string(points) + " points does not match states of dimension " +
                      std::to_string(d.states.size(2)) + " (1-3 axes, product = dim)");
  }
  for (const auto* idx : {&d.train, &d.test})
    for (auto i : *idx)
      if (i < 0 || i >= S)
        fail(where,
             "split index " + std::to_string(i) + " out of range [0, " + std::to_string(S) + ")");
}

#if ENFLOW_WITH_HDF5
/// Owns an HDF5 identifier and closes it with the matching function.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

void silence_hdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

void check(herr_t status, const std::string& path, const std::string& what) {
  if (status < 0) fail(path, what);
}

void write_array(hid_t file, const std::string& path, const char* name,
                 const std::vector<hsize_t>& dims, hid_t mem_type, hid_t file_type,
                 const void* data) {
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  // No modification times: the same data gives the same file, byte for byte.
  H5Pset_obj_track_times(dcpl.get(), false);
  Handle ds(H5Dcreate2(file, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
            H5Dclose);
  if (!space.ok() || !ds.ok()) fail(path, std::string("cannot create /") + name);
  static const char dummy[8] = {0};
  check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data ? data : dummy), path,
        std::string("cannot write /") + name);
}

void write_double_attr(hid_t obj, const std::string& path, const std::string& name, double v) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle a(H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
           H5Aclose);
  if (!a.ok()) fail(path, "cannot create attribute " + name);
  check(H5Awrite(a.get(), H5T_NATIVE_DOUBLE, &v), path, "cannot write attribute " + name);
}

void write_u64_attr(hid_t obj, const std::string& path, const std::string& name, uint64_t v) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle a(H5Acreate2(obj, name.c_str(), H5T_STD_U64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
           H5Aclose);
  if (!a.ok()) fail(path, "cannot create attribute " + name);
  check(H5Awrite(a.get(), H5T_NATIVE_UINT64, &v), path, "cannot write attribute " + name);
}

/// Variable-length UTF-8 string attribute: h5py reads it as str.
void write_string_attr(hid_t obj, const std::string& path, const std::string& name,
                       const std::string& v) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle a(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
           H5Aclose);
  if (!a.ok()) fail(path, "cannot create attribute " + name);
  const char* buf = v.c_str();
  check(H5Awrite(a.get(), type.get(), &buf), path, "cannot write attribute " + name);
}

// The whole file is built in memory (HDF5's core driver, no backing store) and written by
// write_bytes_atomically: HDF5 itself never touches the disk, so a full disk is one checked
// write, not a half-flushed file that HDF5's exit handler would close a second time.
std::string file_image(const std::string& path, const Dataset& d) {
  Handle fcpl(H5Pcreate(H5P_FILE_CREATE), H5Pclose);
  H5Pset_obj_track_times(fcpl.get(), false);
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_EARLIEST, H5F_LIBVER_V18);
  check(H5Pset_fapl_core(fapl.get(), 1 << 20, /*backing_store=*/0), path,
        "cannot set up the in-memory HDF5 file");
  Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), H5Fclose);
  if (!file.ok()) fail(path, "cannot create the HDF5 file");
  auto states = d.states.to(torch::kFloat64).contiguous();
  auto t = d.t.to(torch::kFloat64).contiguous();
  std::vector<hsize_t> sd(states.sizes().begin(), states.sizes().end());
  std::vector<hsize_t> td(t.sizes().begin(), t.sizes().end());
  write_array(file.get(), path, "states", sd, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE,
              states.data_ptr<double>());
  write_array(file.get(), path, "t", td, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, t.data_ptr<double>());
  write_array(file.get(), path, "train", {d.train.size()}, H5T_NATIVE_INT64, H5T_STD_I64LE,
              d.train.empty() ? nullptr : d.train.data());
  write_array(file.get(), path, "test", {d.test.size()}, H5T_NATIVE_INT64, H5T_STD_I64LE,
              d.test.empty() ? nullptr : d.test.data());
  if (!d.lengths.empty())
    write_array(file.get(), path, "lengths", {d.lengths.size()}, H5T_NATIVE_INT64, H5T_STD_I64LE,
                d.lengths.data());
  if (!d.grid.empty())
    write_array(file.get(), path, "grid", {d.grid.size()}, H5T_NATIVE_INT64, H5T_STD_I64LE,
                d.grid.data());
  if (d.learned_energy.defined()) {
    auto h = d.learned_energy.to(torch::kFloat64).contiguous();
    write_array(file.get(), path, "learned_energy",
                {static_cast<hsize_t>(h.size(0)), static_cast<hsize_t>(h.size(1))},
                H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, h.data_ptr<double>());
  }
  Handle root(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose);
  write_string_attr(root.get(), path, "system", d.system);
  write_double_attr(root.get(), path, "dt", d.dt);
  write_u64_attr(root.get(), path, "seed", d.seed);
  write_double_attr(root.get(), path, "noise", d.noise);
  write_string_attr(root.get(), path, "enflow_version", ENFLOW_VERSION);
  if (!d.source.empty()) write_string_attr(root.get(), path, "source", d.source);
  for (const auto& [k, v] : d.params) write_double_attr(root.get(), path, "param_" + k, v);
  check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), path, "cannot flush the file");
  const ssize_t size = H5Fget_file_image(file.get(), nullptr, 0);
  if (size <= 0) fail(path, "cannot build the HDF5 file image");
  std::string image(static_cast<size_t>(size), '\0');
  if (H5Fget_file_image(file.get(), image.data(), image.size()) != size)
    fail(path, "cannot build the HDF5 file image");
  return image;
}

/// Reads a whole numeric dataset as float64 or int64; returns an undefined tensor if the
/// dataset does not exist.
at::Tensor read_array(hid_t file, const std::string& path, const char* name, bool integer) {
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0) return {};
  Handle ds(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) fail(path, std::string("/") + name + " is not a dataset");
  Handle type(H5Dget_type(ds.get()), H5Tclose);
  const auto cls = H5Tget_class(type.get());
  if (cls != H5T_FLOAT && cls != H5T_INTEGER)
    fail(path, std::string("/") + name + " is not numeric");
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > 8) fail(path, std::string("/") + name + " has an unsupported rank");
  std::vector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  std::vector<int64_t> shape(dims.begin(), dims.end());
  at::Tensor out;
  try {
    out = torch::empty(shape, integer ? torch::kInt64 : torch::kFloat64);
  } catch (const std::exception&) {  // c10::Error from the allocator, std::bad_alloc
    fail(path, std::string("/") + name + " of shape " + c10::str(c10::IntArrayRef(shape)) +
                   " does not fit in memory");
  }
  if (out.numel() > 0) {
    check(H5Dread(ds.get(), integer ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                  H5P_DEFAULT, out.data_ptr()),
          path, std::string("cannot read /") + name);
  }
  return out;
}

bool read_double_attr(hid_t obj, const char* name, double* v) {
  if (H5Aexists(obj, name) <= 0) return false;
  Handle a(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  return a.ok() && H5Aread(a.get(), H5T_NATIVE_DOUBLE, v) >= 0;
}

bool read_string_attr(hid_t obj, const char* name, std::string* v) {
  if (H5Aexists(obj, name) <= 0) return false;
  Handle a(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(a.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) return false;
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
    char* buf = nullptr;
    if (H5Aread(a.get(), mem.get(), &buf) < 0) return false;
    *v = buf ? buf : "";
    H5free_memory(buf);
    return true;
  }
  std::string buf(H5Tget_size(type.get()), '\0');
  if (H5Aread(a.get(), type.get(), buf.data()) < 0) return false;
  *v = buf.substr(0, buf.find('\0'));
  return true;
}

herr_t collect_param(hid_t, const char* name, const H5A_info_t*, void* op) {
  auto* names = static_cast<std::vector<std::string>*>(op);
  std::string n(name);
  if (n.rfind("param_", 0) == 0) names->push_back(n);
  return 0;
}
#endif

}  // namespace

#if ENFLOW_WITH_HDF5
void save_dataset(const std::string& path, const Dataset& data) {
  silence_hdf5();
  validate(data, path);
  write_bytes_atomically(path, file_image(path, data));
}

Dataset load_dataset(const std::string& path) {
  silence_hdf5();
  if (!std::filesystem::exists(path)) fail(path, "no such file");
  require_readable(path);
  if (H5Fis_hdf5(path.c_str()) <= 0) fail(path, "not an HDF5 file");
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.ok()) fail(path, "cannot open the HDF5 file");
  Dataset d;
  d.states = read_array(file.get(), path, "states", false);
  if (!d.states.defined()) fail(path, "missing /states");
  d.t = read_array(file.get(), path, "t", false);
  if (!d.t.defined()) fail(path, "missing /t");
  d.learned_energy = read_array(file.get(), path, "learned_energy", false);
  for (auto [name, vec] : {std::pair<const char*, std::vector<int64_t>*>{"train", &d.train},
                           {"test", &d.test},
                           {"lengths", &d.lengths},
                           {"grid", &d.grid}}) {
    auto idx = read_array(file.get(), path, name, true);
    if (!idx.defined()) continue;
    if (idx.dim() != 1) fail(path, std::string("/") + name + " must be one-dimensional");
    vec->assign(idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + idx.numel());
  }
  Handle root(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose);
  read_string_attr(root.get(), "system", &d.system);
  read_string_attr(root.get(), "source", &d.source);
  read_double_attr(root.get(), "dt", &d.dt);
  read_double_attr(root.get(), "noise", &d.noise);
  if (H5Aexists(root.get(), "seed") > 0) {
    Handle a(H5Aopen(root.get(), "seed", H5P_DEFAULT), H5Aclose);
    H5Aread(a.get(), H5T_NATIVE_UINT64, &d.seed);
  }
  std::vector<std::string> names;
  hsize_t idx = 0;
  H5Aiterate2(root.get(), H5_INDEX_NAME, H5_ITER_INC, &idx, collect_param, &names);
  for (const auto& n : names) {
    double v = 0;
    if (!read_double_attr(root.get(), n.c_str(), &v))
      fail(path, "attribute " + n + " is not a number");
    d.params[n.substr(6)] = v;
  }
  validate(d, path);
  return d;
}
#else
void save_dataset(const std::string& path, const Dataset& data) {
  validate(data, path);
  fail(path, "enflow was built without HDF5 (-DENFLOW_WITH_HDF5=OFF)");
}

Dataset load_dataset(const std::string& path) {
  fail(path, "enflow was built without HDF5 (-DENFLOW_WITH_HDF5=OFF)");
}
#endif

}  // namespace enflow::io
