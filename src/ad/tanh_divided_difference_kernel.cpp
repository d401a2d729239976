// D(a, b) = (tanh a − tanh b)/(a − b) in one pass over the four inputs, in the inputs'
// precision (their rounding dominates the error either way):
//   |h| ≥ cut:  D = (t_a − t_b)/h. The ratio of the very values the forward pass used, so
//               D·(a − b) = t_a − t_b to one rounding: the discrete chain rule telescopes
//               against the network's computed energies. Rounding: 2ε/|h| absolute.
//   |h| < cut:  D = T(h)(1 − t_a t_b), T(h) = tanh(h)/h by its series through h¹²
//               (tanh a − tanh b = tanh(h)(1 − tanh a tanh b): no cancellation).
// ∂D/∂a = (1 − t_a² − D)/h and ∂D/∂b = (D − 1 + t_b²)/h above the cut (rounding 2ε/h²),
// T'(h)(1 − t_a t_b) − T(h)(1 − t_a²)t_b and its mirror below it. The cut keeps the
// series' truncation under the storage type's rounding: 0.0625 for float64 (T' drops
// 0.031 h¹² relatively), 0.3 for float32.
#include "ad/tanh_divided_difference_kernel.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>

namespace enflow::ad::dd::kernel {
namespace {

using torch::Tensor;

constexpr int64_t kGrain = 16384;

template <typename S>
struct Series {
  static constexpr S c1 = S(-1.0 / 3), c2 = S(2.0 / 15), c3 = S(-17.0 / 315), c4 = S(62.0 / 2835),
                     c5 = S(-1382.0 / 155925), c6 = S(21844.0 / 6081075);
  static constexpr S cut = sizeof(S) == sizeof(double) ? S(0.0625) : S(0.3);
  static S T(S h2) {
    return S(1) + h2 * (c1 + h2 * (c2 + h2 * (c3 + h2 * (c4 + h2 * (c5 + h2 * c6)))));
  }
  static S dT(S h, S h2) {
    return h *
           (2 * c1 + h2 * (4 * c2 + h2 * (6 * c3 + h2 * (8 * c4 + h2 * (10 * c5 + h2 * 12 * c6)))));
  }
};

// Branch-free bodies (both sides computed, one selected) so that the compiler vectorizes
// them; that needs -fno-trapping-math on this file (src/CMakeLists.txt).
template <typename S>
inline void value_body(const S* __restrict a, const S* __restrict b, const S* __restrict ta,
                       const S* __restrict tb, S* __restrict out, int64_t n) {
  using K = Series<S>;
  for (int64_t i = 0; i < n; ++i) {
    const S p = ta[i], q = tb[i], h = a[i] - b[i];
    const bool small = std::abs(h) < K::cut;
    const S series = K::T(h * h) * (S(1) - p * q);
    const S ratio = (p - q) / (small ? S(1) : h);
    out[i] = small ? series : ratio;
  }
}

template <typename S>
inline void grads_body(const S* __restrict g, const S* __restrict a, const S* __restrict b,
                       const S* __restrict ta, const S* __restrict tb, S* __restrict ga,
                       S* __restrict gb, int64_t n) {
  using K = Series<S>;
  for (int64_t i = 0; i < n; ++i) {
    const S p = ta[i], q = tb[i], h = a[i] - b[i], h2 = h * h, w = g[i];
    const bool small = std::abs(h) < K::cut;
    const S sa = S(1) - p * p, sb = S(1) - q * q;
    // Below the cut.
    const S T = K::T(h2), dTP = K::dT(h, h2) * (S(1) - p * q);
    const S da_s = dTP - T * sa * q, db_s = -dTP - T * sb * p;
    // Above it.
    const S inv = S(1) / (small ? S(1) : h), D = (p - q) * inv;
    const S da_c = (sa - D) * inv, db_c = (D - sb) * inv;
    ga[i] = w * (small ? da_s : da_c);
    gb[i] = w * (small ? db_s : db_c);
  }
}

// AVX2 clones where the CPU has it (chosen once at load time), SSE2 elsewhere.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define ENFLOW_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define ENFLOW_CLONES
#endif

// One overload per storage type, each cloned; value_typed/grads_typed pick by overload.
ENFLOW_CLONES void value(const double* a, const double* b, const double* ta, const double* tb,
                         double* out, int64_t n) {
  value_body(a, b, ta, tb, out, n);
}
ENFLOW_CLONES void value(const float* a, const float* b, const float* ta, const float* tb,
                         float* out, int64_t n) {
  value_body(a, b, ta, tb, out, n);
}
ENFLOW_CLONES void grads(const double* g, const double* a, const double* b, const double* ta,
                         const double* tb, double* ga, double* gb, int64_t n) {
  grads_body(g, a, b, ta, tb, ga, gb, n);
}
ENFLOW_CLONES void grads(const float* g, const float* a, const float* b, const float* ta,
                         const float* tb, float* ga, float* gb, int64_t n) {
  grads_body(g, a, b, ta, tb, ga, gb, n);
}

template <typename S>
Tensor value_typed(const Tensor& a, const Tensor& b, const Tensor& ta, const Tensor& tb) {
  auto ac = a.contiguous(), bc = b.contiguous(), tac = ta.contiguous(), tbc = tb.contiguous();
  auto out = torch::empty_like(ac);
  const S *pa = ac.data_ptr<S>(), *pb = bc.data_ptr<S>();
  const S *pta = tac.data_ptr<S>(), *ptb = tbc.data_ptr<S>();
  S* po = out.data_ptr<S>();
  at::parallel_for(0, ac.numel(), kGrain, [&](int64_t lo, int64_t hi) {
    value(pa + lo, pb + lo, pta + lo, ptb + lo, po + lo, hi - lo);
  });
  return out;
}

template <typename S>
std::pair<Tensor, Tensor> grads_typed(const Tensor& g, const Tensor& a, const Tensor& b,
                                      const Tensor& ta, const Tensor& tb) {
  auto gc = g.contiguous(), ac = a.contiguous(), bc = b.contiguous();
  auto tac = ta.contiguous(), tbc = tb.contiguous();
  auto ga = torch::empty_like(ac), gb = torch::empty_like(ac);
  const S *pg = gc.data_ptr<S>(), *pa = ac.data_ptr<S>(), *pb = bc.data_ptr<S>();
  const S *pta = tac.data_ptr<S>(), *ptb = tbc.data_ptr<S>();
  S *pga = ga.data_ptr<S>(), *pgb = gb.data_ptr<S>();
  at::parallel_for(0, ac.numel(), kGrain, [&](int64_t lo, int64_t hi) {
    grads(pg + lo, pa + lo, pb + lo, pta + lo, ptb + lo, pga + lo, pgb + lo, hi - lo);
  });
  return {ga, gb};
}

}  // namespace

bool applies(const Tensor& a, const Tensor& b, const Tensor& ta, const Tensor& tb) {
  const auto t = a.scalar_type();
  if (!a.device().is_cpu() || (t != torch::kFloat64 && t != torch::kFloat32)) return false;
  for (const Tensor* x : {&b, &ta, &tb}) {
    if (!x->device().is_cpu() || x->scalar_type() != t || x->sizes() != a.sizes()) return false;
  }
  return true;
}

Tensor tanh_value(const Tensor& a, const Tensor& b, const Tensor& ta, const Tensor& tb) {
  return a.scalar_type() == torch::kFloat64 ? value_typed<double>(a, b, ta, tb)
                                            : value_typed<float>(a, b, ta, tb);
}

std::pair<Tensor, Tensor> tanh_grads(const Tensor& g, const Tensor& a, const Tensor& b,
                                     const Tensor& ta, const Tensor& tb) {
  return a.scalar_type() == torch::kFloat64 ? grads_typed<double>(g, a, b, ta, tb)
                                            : grads_typed<float>(g, a, b, ta, tb);
}

}  // namespace enflow::ad::dd::kernel
