// One-pass CPU loops for the tanh divided difference and its first derivatives: what the
// fused autograd node (tanh_divided_difference.cpp) runs where no graph is differentiated
// through it. Each replaces 5–15 elementwise tensor passes by one, which is most of the
// discrete gradient's cost beyond the multiplies (docs/performance.md).
#pragma once

#include <torch/types.h>

#include <utility>

namespace enflow::ad::dd::kernel {

/// True when the loops below apply: CPU, float32 or float64, four tensors of one shape
/// and dtype. Elsewhere (CUDA, other dtypes) the caller uses tensor operations.
bool applies(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& ta,
             const torch::Tensor& tb);

/// D(a, b) = (tanh a − tanh b)/(a − b), given ta = tanh a, tb = tanh b.
torch::Tensor tanh_value(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& ta,
                         const torch::Tensor& tb);

/// (g·∂D/∂a, g·∂D/∂b), the backward of D with g of the same shape.
std::pair<torch::Tensor, torch::Tensor> tanh_grads(const torch::Tensor& g, const torch::Tensor& a,
                                                   const torch::Tensor& b, const torch::Tensor& ta,
                                                   const torch::Tensor& tb);

}  // namespace enflow::ad::dd::kernel
