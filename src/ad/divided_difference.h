// Divided differences D(a, b) with f(a) − f(b) = D(a, b)·(a − b), D(a, a) = f'(a),
// D symmetric, accurate for coincident and near-coincident arguments, and differentiable
// (twice) through autograd. Closed forms are used where an identity removes the
// cancellation; the generic rule falls back to a midpoint rule below a threshold.
#pragma once

#include <torch/types.h>

#include <functional>

namespace enflow::ad::dd {

using Fn = std::function<torch::Tensor(const torch::Tensor&)>;

/// Threshold below which |a − b| / max(1, |(a+b)/2|) switches from the ratio to the
/// two-point Gauss–Legendre average of f' about the midpoint: (4320 ε)^{1/5} balances
/// rounding in the ratio (ε|f|/h) against the quadrature error (|f⁽⁵⁾| h⁴/4320);
/// 3.5e-3 in float64, 0.23 in float32.
double midpoint_threshold(torch::ScalarType dtype);

/// sin(x)/x, tanh(x)/x, sinh(x)/x, atanh(x)/x: even, = 1 at 0, series near 0.
torch::Tensor sinc(const torch::Tensor& x);
torch::Tensor tanhc(const torch::Tensor& x);
torch::Tensor sinhc(const torch::Tensor& x);
torch::Tensor atanhc(const torch::Tensor& x);

torch::Tensor generic(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& fa,
                      const torch::Tensor& fb, const Fn& fprime);

/// tanh: one fused autograd node when a or b needs a gradient (tanh_divided_difference.cpp);
/// ta, tb must be tanh(a), tanh(b).
torch::Tensor tanh(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& ta,
                   const torch::Tensor& tb);
torch::Tensor exp(const torch::Tensor& a, const torch::Tensor& b);
torch::Tensor log(const torch::Tensor& a, const torch::Tensor& b);
torch::Tensor sin(const torch::Tensor& a, const torch::Tensor& b);
torch::Tensor cos(const torch::Tensor& a, const torch::Tensor& b);
/// For piecewise-linear or kinked functions: exact ratio when a ≠ b (no cancellation
/// for the functions used here), fprime(a) when a = b.
torch::Tensor kinked(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& fa,
                     const torch::Tensor& fb, const Fn& fprime);
/// Σ_{k<n} a^k b^{n-1-k} for n ≥ 0; −D_m(a,b)/(a^m b^m) for n = −m < 0.
torch::Tensor pow(const torch::Tensor& a, const torch::Tensor& b, int n);

}  // namespace enflow::ad::dd
