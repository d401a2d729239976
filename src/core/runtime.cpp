#include "enflow/runtime.h"

#include <torch/torch.h>

#include <dlfcn.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include <torch/version.h>

#include "enflow/distributed/environment.h"
#include "enflow/version.h"

namespace enflow {

std::string version() { return ENFLOW_VERSION; }

namespace {
int env_int(const char* name) {
  const char* s = std::getenv(name);
  if (!s || !*s) return 0;
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  return (end && *end == '\0' && v > 0) ? static_cast<int>(std::min<long>(v, INT_MAX)) : 0;
}
}  // namespace

bool tune_allocator() {
  static const bool applied = [] {
    const char* env = std::getenv("ENFLOW_MALLOC_TUNING");
    if (env && std::strcmp(env, "0") == 0) return false;
#if defined(__GLIBC__)
    return mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, -1) == 1;
#else
    return false;
#endif
  }();
  return applied;
}

namespace {
// An OpenBLAS entry point, or null when the loaded BLAS is not OpenBLAS (looked up at run
// time: LibTorch may bring MKL or no BLAS at all).
template <class Fn>
Fn openblas(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, name));
}
}  // namespace

int blas_threads() {
  static const auto get = openblas<int (*)()>("openblas_get_num_threads");
  return get ? get() : 0;
}

int set_blas_threads(int n) {
  static const auto set = openblas<void (*)(int)>("openblas_set_num_threads");
  if (set && n > 0) set(n);
  return blas_threads();
}

bool blas_uses_openmp() {
  static const auto get = openblas<int (*)()>("openblas_get_parallel");
  return get && get() == 2;  // 0 sequential, 1 pthreads, 2 OpenMP
}

namespace {
std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) break;
    const auto start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

// The file a symbol was loaded from: which libopenblas.so.0 the loader picked (the RPATH's
// OpenMP build or the system's alternative).
std::string library_of(void* symbol) {
  Dl_info info{};
  return symbol && dladdr(symbol, &info) && info.dli_fname ? info.dli_fname : "";
}
}  // namespace

RuntimeInfo runtime_info() {
  RuntimeInfo r;
  r.enflow_version = version();
  r.libtorch_version = TORCH_VERSION;
  r.cpu = cpu_model_name();
  r.cores = static_cast<int>(std::thread::hardware_concurrency());
  r.threads = torch::get_num_threads();
  r.blas_threads = blas_threads();  // 0 when the loaded BLAS is not OpenBLAS
  if (r.blas_threads > 0) {
    r.blas = "OpenBLAS";
    r.blas_library = library_of(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    static const char* const kinds[] = {"sequential", "pthreads", "openmp"};
    if (auto par = openblas<int (*)()>("openblas_get_parallel")) {
      const int p = par();
      if (p >= 0 && p <= 2) r.blas_threading = kinds[p];
    }
    if (auto cfg = openblas<char* (*)()>("openblas_get_config")) {
      if (const char* c = cfg()) r.blas_config = c;
    }
  }
  r.allocator_tuned = tune_allocator();
  if (torch::cuda::is_available()) {
    for (int64_t i = 0; i < static_cast<int64_t>(torch::cuda::device_count()); ++i) {
      r.cuda_devices.push_back("cuda:" + std::to_string(i));
    }
  }
  return r;
}

double available_memory() {
  std::ifstream f("/proc/meminfo");
  std::string key, unit;
  double kib = 0;
  while (f >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024.0;
  return 0;
}

void require_memory(double bytes, const std::string& what) {
  const double avail = available_memory();
  if (avail > 0 && bytes > 0.8 * avail) {
    char buf[256];
    std::snprintf(buf, sizeof buf, " needs about %.3g GB, and %.3g GB of memory is available",
                  bytes / 1e9, avail / 1e9);
    throw std::invalid_argument(what + buf);
  }
}

int max_threads() {
  return static_cast<int>(std::max(16u, 4 * std::thread::hardware_concurrency()));
}

int init_threads(int requested) {
  tune_allocator();
  const char* source = "--threads";
  int n = requested;
  for (const char* var : {"ENFLOW_NUM_THREADS", "OMP_NUM_THREADS"}) {
    if (n <= 0) n = env_int(var), source = var;
  }
  if (n > max_threads()) {
    throw std::invalid_argument(std::string(source) + " = " + std::to_string(n) +
                                " is more than this machine can use (at most " +
                                std::to_string(max_threads()) + ": 4 per hardware thread)");
  }
  if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // LibTorch sets MKL's thread count but not OpenBLAS's. The pthread build's own pool
  // competes with LibTorch's, so multiplies run on the calling thread there (decision 33);
  // the OpenMP build shares LibTorch's pool and gets all n threads (decision 42).
  int b = env_int("ENFLOW_BLAS_THREADS");
  if (b <= 0 && !std::getenv("OPENBLAS_NUM_THREADS") && !std::getenv("GOTO_NUM_THREADS")) {
    b = blas_uses_openmp() ? n : 1;
  }
  set_blas_threads(b);
  // After the BLAS: the OpenMP build's setter also sets OpenMP's default team size.
  torch::set_num_threads(n);
  return torch::get_num_threads();
}

c10::Device parse_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available()) {
      throw std::invalid_argument("device '" + name + "' requested but CUDA is not available");
    }
    return c10::Device(name);
  }
  throw std::invalid_argument("unknown device '" + name + "' (use cpu, cuda or cuda:N)");
}

c10::ScalarType parse_dtype(const std::string& name) {
  if (name == "float64" || name == "double" || name == "f64") return torch::kFloat64;
  if (name == "float32" || name == "float" || name == "f32") return torch::kFloat32;
  throw std::invalid_argument("unknown dtype '" + name + "' (use float32 or float64)");
}

std::string dtype_name(c10::ScalarType t) {
  if (t == torch::kFloat64) return "float64";
  if (t == torch::kFloat32) return "float32";
  return c10::toString(t);
}

}  // namespace enflow

namespace enflow {

namespace {

struct Warnings {
  std::mutex mutex;
  std::set<std::string> seen;
  std::function<void(const std::string&)> handler = [](const std::string& m) {
    std::fprintf(stderr, "enflow: warning: %s\n", m.c_str());
  };
};

Warnings& warnings() {
  static Warnings w;
  return w;
}

}  // namespace

// One rank of a job of many (torchrun, srun, `enflow launch`)? Every rank reads the same
// config and data, so rank 0 alone gives the warnings; errors still come from each rank.
bool warns_on_another_rank() {
  try {
    return distributed::environment().rank != 0;
  } catch (const std::exception&) {
    return false;  // an inconsistent environment is reported where the job starts
  }
}

void warn(const std::string& message) {
  if (warns_on_another_rank()) return;
  std::function<void(const std::string&)> handler;
  {
    auto& w = warnings();
    std::lock_guard<std::mutex> lock(w.mutex);
    if (!w.seen.insert(message).second) return;  // once per distinct message
    handler = w.handler;
  }
  if (handler) handler(message);
}

void set_warning_handler(std::function<void(const std::string&)> handler) {
  auto& w = warnings();
  std::lock_guard<std::mutex> lock(w.mutex);
  w.handler = std::move(handler);
}

}  // namespace enflow
