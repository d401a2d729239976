#include "enflow/ad/var.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "ad/circular_conv.h"
#include "ad/divided_difference.h"
#include "ad/elementwise_rules.h"

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

namespace {
// The convolution is linear: the same circular convolution maps values and tangent.
Var conv_circular_var(const Var& x, const Tensor& weight, const Tensor& bias, int64_t axes,
                      const char* what) {
  check_circular_conv(x.a(), weight, bias, axes, what);
  return linear_map(
      x, [&](const Tensor& t) { return conv_circular(t, weight, bias); },
      [&](const Tensor& t) { return conv_circular(t, weight, Tensor()); });
}
}  // namespace

Var conv1d_circular(const Var& x, const Tensor& weight, const Tensor& bias) {
  return conv_circular_var(x, weight, bias, 1, "conv1d_circular");
}
Var conv2d_circular(const Var& x, const Tensor& weight, const Tensor& bias) {
  return conv_circular_var(x, weight, bias, 2, "conv2d_circular");
}
Var conv3d_circular(const Var& x, const Tensor& weight, const Tensor& bias) {
  return conv_circular_var(x, weight, bias, 3, "conv3d_circular");
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

// ---- elementwise: the shared rule table (ad/elementwise_rules.h) ----
namespace {
Var apply_rule(const ElementwiseRule& r, const Var& x) { return unary(x, r.f, r.dd); }
}  // namespace

Var tanh(const Var& x) { return activation("tanh", x); }
Var sigmoid(const Var& x) { return activation("sigmoid", x); }
Var softplus(const Var& x) { return activation("softplus", x); }
Var relu(const Var& x) { return activation("relu", x); }
Var elu(const Var& x) { return activation("elu", x); }
Var silu(const Var& x) { return activation("silu", x); }
Var exp(const Var& x) { return activation("exp", x); }
Var log(const Var& x) { return activation("log", x); }
Var sin(const Var& x) { return activation("sin", x); }
Var cos(const Var& x) { return activation("cos", x); }
Var square(const Var& x) { return activation("square", x); }

Var pow(const Var& x, int n) {
  return unary(
      x, [n](const Tensor& t) { return t.pow(n); },
      [n](const Tensor& a, const Tensor& b, const Tensor&, const Tensor&) {
        return dd::pow(a, b, n);
      });
}

Var elementwise(const Var& x, const std::function<Tensor(const Tensor&)>& f,
                const std::function<Tensor(const Tensor&)>& fprime) {
  return unary(x, f,
               [&fprime](const Tensor& a, const Tensor& b, const Tensor& fa, const Tensor& fb) {
                 return dd::generic(a, b, fa, fb, fprime);
               });
}

const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& r : elementwise_rules()) n.push_back(r.name);
    return n;
  }();
  return names;
}

Var activation(const std::string& name, const Var& x) {
  const auto& r = elementwise_rule(name);
  if (r.name == "identity") return x;
  return apply_rule(r, x);
}

}  // namespace enflow::ad
