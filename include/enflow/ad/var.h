// Automatic discrete differentiation: the value type energies are written in.
//
// A Var is either
//   * plain:  one tensor x, evaluated as usual (H(u), and ∇H(u) through autograd), or
//   * paired: the same expression evaluated at two states, a = f(u) and b = f(v), plus the
//     discrete tangent d, which every operation propagates with its *discrete Jacobian*
//     J̄(a, b) satisfying f(a) − f(b) = J̄ (a − b) exactly (divided differences for
//     elementwise functions, the averaged product rule for products, the matrix itself for
//     linear maps).
// Composing discrete Jacobians gives a discrete chain rule, so the scalar tangent at the
// output is H(u) − H(v) and its derivative with respect to the input tangent is the
// discrete gradient ∇̄H(u, v) (see discrete_gradient.h). Writing an energy once against
// Var gives both the ordinary and the discrete gradient.
//
// Only operations that have a discrete rule exist on Var; anything else is a compile
// error, or for run-time choices (activation names) an exception naming the operation.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace enflow::ad {

class Var {
 public:
  Var() = default;
  /// Plain value (no pair).
  explicit Var(at::Tensor x);
  /// Paired value: a at u, b at v, discrete tangent d.
  Var(at::Tensor a, at::Tensor b, at::Tensor d);

  bool paired() const { return b_.defined(); }
  /// Value at u (or the plain value).
  const at::Tensor& a() const { return a_; }
  /// Value at v; undefined for a plain Var.
  const at::Tensor& b() const { return b_; }
  /// Discrete tangent; undefined for a plain Var.
  const at::Tensor& d() const { return d_; }
  /// Shape of the value.
  std::vector<int64_t> sizes() const;
  int64_t dim() const;

 private:
  at::Tensor a_, b_, d_;
};

// ---- Linear operations: the discrete Jacobian is the map itself. ----
Var operator+(const Var& x, const Var& y);
Var operator-(const Var& x, const Var& y);
Var operator-(const Var& x);
Var operator+(const Var& x, double c);
Var operator+(double c, const Var& x);
Var operator-(const Var& x, double c);
Var operator-(double c, const Var& x);
Var operator*(const Var& x, double c);
Var operator*(double c, const Var& x);
Var operator/(const Var& x, double c);
/// Product with a constant tensor (broadcast), e.g. a fixed weight field.
Var operator*(const Var& x, const at::Tensor& c);
Var operator*(const at::Tensor& c, const Var& x);
/// Add a constant tensor (broadcast).
Var operator+(const Var& x, const at::Tensor& c);

/// x W^T + bias over the last dimension (bias may be undefined).
Var linear(const Var& x, const at::Tensor& weight, const at::Tensor& bias);
/// x A with a constant (or parameter) matrix A over the last dimension.
Var matmul(const Var& x, const at::Tensor& A);
/// Convolutions with circular padding (periodic grids), output the size of the input; every
/// kernel size odd (and half of it at most the grid size), bias [C_out] or undefined. Bad shapes
/// throw std::invalid_argument. 1-D: input [N, C_in, L], weight [C_out, C_in, k].
Var conv1d_circular(const Var& x, const at::Tensor& weight, const at::Tensor& bias);
/// 2-D: input [N, C_in, H, W], weight [C_out, C_in, kH, kW].
Var conv2d_circular(const Var& x, const at::Tensor& weight, const at::Tensor& bias);
/// 3-D: input [N, C_in, D, H, W], weight [C_out, C_in, kD, kH, kW].
Var conv3d_circular(const Var& x, const at::Tensor& weight, const at::Tensor& bias);
Var sum(const Var& x, std::vector<int64_t> dims, bool keepdim = false);
Var mean(const Var& x, std::vector<int64_t> dims, bool keepdim = false);
/// Sum over every dimension but the first (batch): one energy per sample.
Var sum_per_sample(const Var& x);
Var reshape(const Var& x, std::vector<int64_t> shape);
Var unsqueeze(const Var& x, int64_t dim);
Var narrow(const Var& x, int64_t dim, int64_t start, int64_t length);
Var cat(const std::vector<Var>& xs, int64_t dim);

// ---- Products: averaged product rule xy − x'y' = ȳ(x − x') + x̄(y − y'). ----
Var operator*(const Var& x, const Var& y);
/// Elementwise product (same as operator*).
Var mul(const Var& x, const Var& y);
/// Bilinear form per sample: Σ_ij x_i A_ij y_j over the last dimension.
Var bilinear(const Var& x, const at::Tensor& A, const Var& y);
/// Quadratic form per sample: Σ_ij x_i A_ij x_j over the last dimension.
Var quadratic(const Var& x, const at::Tensor& A);

// ---- Elementwise functions: divided differences. ----
Var tanh(const Var& x);
Var sigmoid(const Var& x);
Var softplus(const Var& x);
Var relu(const Var& x);
Var elu(const Var& x);
Var silu(const Var& x);
Var exp(const Var& x);
Var log(const Var& x);
Var sin(const Var& x);
Var cos(const Var& x);
Var square(const Var& x);
/// x^n for any integer n (negative n requires x ≠ 0).
Var pow(const Var& x, int n);
/// Applies an activation by name (tanh, sigmoid, softplus, relu, elu, silu, exp, log,
/// sin, cos, square, identity); throws std::invalid_argument naming an unknown one.
Var activation(const std::string& name, const Var& x);
/// Names accepted by activation().
const std::vector<std::string>& activation_names();

/// A user's own smooth elementwise function f with derivative fprime. Its divided
/// difference is (f(a) − f(b))/(a − b), switching to f'((a+b)/2) below a threshold
/// relative to the argument scale. f must be C³ for that switch to be accurate.
Var elementwise(const Var& x, const std::function<at::Tensor(const at::Tensor&)>& f,
                const std::function<at::Tensor(const at::Tensor&)>& fprime);

}  // namespace enflow::ad
