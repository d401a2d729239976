#include "enflow/ad/var.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include "ad/divided_difference.h"

namespace enflow::ad {

using torch::Tensor;

Var::Var(Tensor x) : a_(std::move(x)) {}
Var::Var(Tensor a, Tensor b, Tensor d) : a_(std::move(a)), b_(std::move(b)), d_(std::move(d)) {}

std::vector<int64_t> Var::sizes() const { return a_.sizes().vec(); }
int64_t Var::dim() const { return a_.dim(); }

namespace {

// A plain operand meeting a paired one is a constant: same value at u and v, zero tangent.
Var as_paired(const Var& x) {
  if (x.paired()) return x;
  return Var(x.a(), x.a(), torch::zeros_like(x.a()));
}

// Applies a map that is linear in its argument to all three parts (the bias-free form
// `lin` to the tangent, the affine form `aff` to the values).
template <class Aff, class Lin>
Var linear_map(const Var& x, Aff aff, Lin lin) {
  if (!x.paired()) return Var(aff(x.a()));
  return Var(aff(x.a()), aff(x.b()), lin(x.d()));
}
template <class Lin>
Var linear_map(const Var& x, Lin lin) {
  return linear_map(x, lin, lin);
}

// Elementwise f with discrete derivative D(a, b, f(a), f(b)).
template <class F, class D>
Var unary(const Var& x, F f, D dfn) {
  if (!x.paired()) return Var(f(x.a()));
  auto fa = f(x.a());
  auto fb = f(x.b());
  return Var(fa, fb, dfn(x.a(), x.b(), fa, fb) * x.d());
}

}  // namespace

// ---- linear ----
Var operator+(const Var& x, const Var& y) {
  if (!x.paired() && !y.paired()) return Var(x.a() + y.a());
  auto px = as_paired(x), py = as_paired(y);
  return Var(px.a() + py.a(), px.b() + py.b(), px.d() + py.d());
}
Var operator-(const Var& x, const Var& y) { return x + (-y); }
Var operator-(const Var& x) {
  return linear_map(x, [](const Tensor& t) { return -t; });
}
Var operator+(const Var& x, double c) {
  return linear_map(
      x, [c](const Tensor& t) { return t + c; }, [](const Tensor& t) { return t; });
}
Var operator+(double c, const Var& x) { return x + c; }
Var operator-(const Var& x, double c) { return x + (-c); }
Var operator-(double c, const Var& x) { return (-x) + c; }
Var operator*(const Var& x, double c) {
  return linear_map(x, [c](const Tensor& t) { return t * c; });
}
Var operator*(double c, const Var& x) { return x * c; }
Var operator/(const Var& x, double c) { return x * (1.0 / c); }
Var operator*(const Var& x, const Tensor& c) {
  return linear_map(x, [&c](const Tensor& t) { return t * c; });
}
Var operator*(const Tensor& c, const Var& x) { return x * c; }
Var operator+(const Var& x, const Tensor& c) {
  return linear_map(
      x, [&c](const Tensor& t) { return t + c; }, [](const Tensor& t) { return t; });
}

Var linear(const Var& x, const Tensor& weight, const Tensor& bias) {
  return linear_map(
      x, [&](const Tensor& t) { return torch::linear(t, weight, bias); },
      [&](const Tensor& t) { return torch::linear(t, weight); });
}

Var matmul(const Var& x, const Tensor& A) {
  return linear_map(x, [&A](const Tensor& t) { return torch::matmul(t, A); });
}

Var conv1d_circular(const Var& x, const Tensor& weight, const Tensor& bias) {
  if (x.dim() != 3) {
    throw std::invalid_argument("conv1d_circular: input must be [batch, channels, length], got " +
                                std::to_string(x.dim()) + " dimensions");
  }
  const int64_t k = weight.size(2);
  if (k % 2 == 0) throw std::invalid_argument("conv1d_circular: kernel size must be odd");
  const int64_t p = k / 2;
  auto pad = [p](const Tensor& t) {
    if (p == 0) return t;
    const int64_t L = t.size(2);
    return torch::cat({t.narrow(2, L - p, p), t, t.narrow(2, 0, p)}, 2);
  };
  return linear_map(
      x, [&](const Tensor& t) { return torch::conv1d(pad(t), weight, bias); },
      [&](const Tensor& t) { return torch::conv1d(pad(t), weight); });
}

Var sum(const Var& x, std::vector<int64_t> dims, bool keepdim) {
  return linear_map(x, [&](const Tensor& t) { return t.sum(dims, keepdim); });
}
Var mean(const Var& x, std::vector<int64_t> dims, bool keepdim) {
  return linear_map(x, [&](const Tensor& t) { return t.mean(dims, keepdim); });
}
Var sum_per_sample(const Var& x) {
  if (x.dim() <= 1) return x;
  return linear_map(x, [](const Tensor& t) { return t.flatten(1).sum(1); });
}
Var reshape(const Var& x, std::vector<int64_t> shape) {
  return linear_map(x, [&](const Tensor& t) { return t.reshape(shape); });
}
Var unsqueeze(const Var& x, int64_t dim) {
  return linear_map(x, [dim](const Tensor& t) { return t.unsqueeze(dim); });
}
Var narrow(const Var& x, int64_t dim, int64_t start, int64_t length) {
  return linear_map(x, [=](const Tensor& t) { return t.narrow(dim, start, length); });
}
Var cat(const std::vector<Var>& xs, int64_t dim) {
  const bool any_paired =
      std::any_of(xs.begin(), xs.end(), [](const Var& v) { return v.paired(); });
  std::vector<Tensor> a, b, d;
  for (const auto& v : xs) {
    auto p = any_paired ? as_paired(v) : v;
    a.push_back(p.a());
    if (any_paired) {
      b.push_back(p.b());
      d.push_back(p.d());
    }
  }
  if (!any_paired) return Var(torch::cat(a, dim));
  return Var(torch::cat(a, dim), torch::cat(b, dim), torch::cat(d, dim));
}

// ---- products ----
Var operator*(const Var& x, const Var& y) {
  if (!x.paired() && !y.paired()) return Var(x.a() * y.a());
  auto px = as_paired(x), py = as_paired(y);
  auto xm = 0.5 * (px.a() + px.b());
  auto ym = 0.5 * (py.a() + py.b());
  return Var(px.a() * py.a(), px.b() * py.b(), ym * px.d() + xm * py.d());
}
Var mul(const Var& x, const Var& y) { return x * y; }

Var bilinear(const Var& x, const Tensor& A, const Var& y) {
  auto form = [&A](const Tensor& p, const Tensor& q) { return (torch::matmul(p, A) * q).sum(-1); };
  if (!x.paired() && !y.paired()) return Var(form(x.a(), y.a()));
  auto px = as_paired(x), py = as_paired(y);
  auto xm = 0.5 * (px.a() + px.b());
  auto ym = 0.5 * (py.a() + py.b());
  return Var(form(px.a(), py.a()), form(px.b(), py.b()), form(px.d(), ym) + form(xm, py.d()));
}
Var quadratic(const Var& x, const Tensor& A) { return bilinear(x, A, x); }

// ---- elementwise ----
Var tanh(const Var& x) {
  return unary(
      x, [](const Tensor& t) { return torch::tanh(t); },
      [](const Tensor& a, const Tensor& b, const Tensor& fa, const Tensor& fb) {
        return dd::tanh(a, b, fa, fb);
      });
}

Var sigmoid(const Var& x) {
  // σ(x) = (1 + tanh(x/2))/2, so D_σ(a, b) = D_tanh(a/2, b/2)/4.
  return unary(
      x, [](const Tensor& t) { return torch::sigmoid(t); },
      [](const Tensor& a, const Tensor& b, const Tensor&, const Tensor&) {
        auto ha = 0.5 * a, hb = 0.5 * b;
        return 0.25 * dd::tanh(ha, hb, torch::tanh(ha), torch::tanh(hb));
      });
}

Var softplus(const Var& x) {
  return unary(
      x, [](const Tensor& t) { return torch::softplus(t); },
      [](const Tensor& a, const Tensor& b, const Tensor& fa, const Tensor& fb) {
        return dd::generic(a, b, fa, fb, [](const Tensor& m) { return torch::sigmoid(m); });
      });
}

Var relu(const Var& x) {
  return unary(
      x, [](const Tensor& t) { return torch::relu(t); },
      [](const Tensor& a, const Tensor& b, const Tensor& fa, const Tensor& fb) {
        return dd::kinked(a, b, fa, fb, [](const Tensor& t) { return (t > 0).to(t.dtype()); });
      });
}

Var elu(const Var& x) {
  return unary(
      x, [](const Tensor& t) { return torch::elu(t); },
      [](const Tensor& a, const Tensor& b, const Tensor& fa, const Tensor& fb) {
        // Both positive: 1. Both non-positive: divided difference of e^x − 1, exact via
        // sinh. Mixed signs: the plain ratio has no cancellation (f changes sign too).
        auto both_pos = (a > 0).logical_and(b > 0);
        auto both_neg = (a <= 0).logical_and(b <= 0);
        auto neg_m = torch::clamp_max(0.5 * (a + b), 0.0);  // clamp keeps the unused branch finite
        auto d_neg = torch::exp(neg_m) * dd::sinhc(0.5 * (a - b));
        auto mixed = dd::kinked(a, b, fa, fb, [](const Tensor& t) { return torch::ones_like(t); });
        return torch::where(both_pos, torch::ones_like(a), torch::where(both_neg, d_neg, mixed));
      });
}

Var silu(const Var& x) {
  return unary(
      x, [](const Tensor& t) { return torch::silu(t); },
      [](const Tensor& a, const Tensor& b, const Tensor& fa, const Tensor& fb) {
        return dd::generic(a, b, fa, fb, [](const Tensor& m) {
          auto s = torch::sigmoid(m);
          return s * (1.0 + m * (1.0 - s));
        });
      });
}

Var exp(const Var& x) {
  return unary(
      x, [](const Tensor& t) { return torch::exp(t); },
      [](const Tensor& a, const Tensor& b, const Tensor&, const Tensor&) { return dd::exp(a, b); });
}

Var log(const Var& x) {
  return unary(
      x, [](const Tensor& t) { return torch::log(t); },
      [](const Tensor& a, const Tensor& b, const Tensor&, const Tensor&) { return dd::log(a, b); });
}

Var sin(const Var& x) {
  return unary(
      x, [](const Tensor& t) { return torch::sin(t); },
      [](const Tensor& a, const Tensor& b, const Tensor&, const Tensor&) { return dd::sin(a, b); });
}

Var cos(const Var& x) {
  return unary(
      x, [](const Tensor& t) { return torch::cos(t); },
      [](const Tensor& a, const Tensor& b, const Tensor&, const Tensor&) { return dd::cos(a, b); });
}

Var pow(const Var& x, int n) {
  return unary(
      x, [n](const Tensor& t) { return t.pow(n); },
      [n](const Tensor& a, const Tensor& b, const Tensor&, const Tensor&) {
        return dd::pow(a, b, n);
      });
}
Var square(const Var& x) { return pow(x, 2); }

Var elementwise(const Var& x, const std::function<Tensor(const Tensor&)>& f,
                const std::function<Tensor(const Tensor&)>& fprime) {
  return unary(x, f,
               [&fprime](const Tensor& a, const Tensor& b, const Tensor& fa, const Tensor& fb) {
                 return dd::generic(a, b, fa, fb, fprime);
               });
}

namespace {
using Act = Var (*)(const Var&);
const std::vector<std::pair<std::string, Act>>& activation_table() {
  static const std::vector<std::pair<std::string, Act>> table = {
      {"identity", [](const Var& x) { return x; }},
      {"tanh", tanh},
      {"sigmoid", sigmoid},
      {"softplus", softplus},
      {"relu", relu},
      {"elu", elu},
      {"silu", silu},
      {"exp", exp},
      {"log", log},
      {"sin", sin},
      {"cos", cos},
      {"square", square},
  };
  return table;
}
}  // namespace

const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& [name, fn] : activation_table()) n.push_back(name);
    return n;
  }();
  return names;
}

Var activation(const std::string& name, const Var& x) {
  for (const auto& [n, fn] : activation_table()) {
    if (n == name) return fn(x);
  }
  std::string list;
  for (const auto& n : activation_names()) list += (list.empty() ? "" : ", ") + n;
  throw std::invalid_argument("no discrete-gradient rule for activation '" + name +
                              "' (supported: " + list + ")");
}

}  // namespace enflow::ad
