// Process-wide settings: threads, device and dtype parsing, version.
#pragma once

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <functional>
#include <string>
#include <vector>

namespace enflow {

/// enflow's version string ("0.1.0").
std::string version();

/// Sets LibTorch's intra-op thread count. `requested` > 0 wins; otherwise
/// ENFLOW_NUM_THREADS, then OMP_NUM_THREADS, then the number of cores (Debian's LibTorch
/// otherwise starts with one thread). Returns the count in effect.
/// Also calls tune_allocator() once, and sets OpenBLAS's thread count: ENFLOW_BLAS_THREADS
/// if set, else the user's OPENBLAS_NUM_THREADS / GOTO_NUM_THREADS if set, else all n threads
/// with OpenBLAS's OpenMP build (it shares LibTorch's pool; decision 42) and 1 with the
/// pthread build (its own pool competes with LibTorch's: multiplies on the calling thread
/// trained 1.4-3.9x faster on the benchmark cases, docs/performance.md).
/// Throws std::invalid_argument naming the source if the count (or an environment variable's)
/// exceeds max_threads(): thousands of threads on a few cores only thrash.
int init_threads(int requested = 0);

/// The most threads init_threads accepts: 4 per hardware thread, at least 16.
int max_threads();

/// OpenBLAS's own thread pool. LibTorch's set_num_threads reaches MKL but not OpenBLAS
/// (Debian's LibTorch uses OpenBLAS), whose pool otherwise keeps one thread per core that
/// spins in sched_yield after each multiply and competes with LibTorch's threads.
/// Sets it to `n` (> 0) when the loaded BLAS is OpenBLAS; returns the count in effect, or 0
/// when OpenBLAS is not loaded (MKL, CUDA-only builds).
int set_blas_threads(int n);
int blas_threads();

/// Whether the loaded BLAS is OpenBLAS built with OpenMP (enflow's executables load
/// Debian's libopenblas0-openmp when it is installed, src/CMakeLists.txt).
bool blas_uses_openmp();

/// Keeps large tensor buffers in the process heap instead of fresh mmap'd pages. glibc
/// serves blocks of ≥ 32 MiB by mmap and unmaps them on free, so every large temporary
/// of a training step (a 2·200×50×200 float64 activation is 32 MiB) is page-faulted in
/// again, which costs more than the arithmetic on it (measured: 18 ms for a 0.3 ms
/// multiply). Sets M_MMAP_MAX = 0 and turns heap trimming off (M_TRIM_THRESHOLD = -1): a
/// process whose peak is reached again every step (a Newton Jacobian of a conv network,
/// ~2.8 GB) must not hand it back in between; with a 1 GiB threshold a Cahn-Hilliard
/// prediction spent 3x its time in page faults. ENFLOW_MALLOC_TUNING=0 leaves glibc's
/// defaults. No-op on other C libraries. Returns whether it applied.
bool tune_allocator();

/// Memory the kernel says is available now (MemAvailable), in bytes; 0 where unknown.
double available_memory();

/// Throws std::invalid_argument "<what> needs about X GB, and Y GB of memory is available"
/// when `bytes` exceeds 80 % of available_memory(): sizes a user typed are refused before
/// the work, not by the allocator halfway through it.
void require_memory(double bytes, const std::string& what);

/// What this process computes with, for reports that must say it (`enflow info`, the
/// benchmark headers): a number is only comparable with another from the same BLAS build
/// and thread counts.
struct RuntimeInfo {
  std::string enflow_version;
  std::string libtorch_version;  ///< the headers enflow was built against
  std::string cpu;               ///< /proc/cpuinfo's model name, or ""
  int cores = 0;                 ///< hardware threads
  int threads = 0;               ///< LibTorch's intra-op threads now
  std::string blas;              ///< "OpenBLAS" or "" when the loaded BLAS is not OpenBLAS
  std::string blas_threading;    ///< OpenBLAS's build: "openmp", "pthreads" or "sequential"
  std::string blas_library;      ///< the shared object OpenBLAS's symbols resolve to
  std::string blas_config;       ///< openblas_get_config(): version, target, options
  int blas_threads = 0;          ///< OpenBLAS's thread count now (0: not OpenBLAS)
  bool allocator_tuned = false;  ///< tune_allocator() applied
  std::vector<std::string> cuda_devices;  ///< "cuda:0", ...; empty without CUDA
};

/// Reads the settings in effect (call after init_threads to see what enflow will use; it
/// applies tune_allocator() if nothing has yet).
RuntimeInfo runtime_info();

/// "cpu", "cuda" or "cuda:N"; throws std::invalid_argument if unknown or unavailable.
c10::Device parse_device(const std::string& name);

/// "float32"/"float"/"f32" or "float64"/"double"/"f64"; throws std::invalid_argument otherwise.
c10::ScalarType parse_dtype(const std::string& name);

/// "float32" or "float64".
std::string dtype_name(c10::ScalarType t);

/// A warning for the user (a deprecated config key, a model that looks untrained, ...): given
/// to the warning handler once per distinct message. The default handler prints
/// "enflow: warning: MESSAGE" on stderr; front ends install their own (the CLI ends its
/// progress line first; Python raises warnings.warn). In a job of many processes only rank 0
/// gives warnings (every rank reads the same config and data).
void warn(const std::string& message);
void set_warning_handler(std::function<void(const std::string&)> handler);

}  // namespace enflow
