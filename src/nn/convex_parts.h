// Pieces shared by the input-convex networks: affine maps that are dense or periodic
// convolutions depending on the weight's shape, and their initialization.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>

#include "enflow/ad/var.h"

namespace enflow::nn::detail {

/// x Wᵀ + b for W [out, in] on [B, in]; circular convolution for W [out, in, k] on [B, in, L].
/// b may be undefined.
ad::Var affine(const ad::Var& x, const at::Tensor& W, const at::Tensor& b);

/// A weight [out, in] (kernel 0) or [out, in, kernel], uniform in ±1/√fan_in.
at::Tensor init_weight(int64_t out, int64_t in, int64_t kernel);

/// Raw parameters V of non-negative weights softplus(V) of the same shapes, initialized so
/// that softplus(V) = |w| for w uniform in ±1/√fan_in.
at::Tensor init_nonnegative_raw(int64_t out, int64_t in, int64_t kernel);

/// Throws std::invalid_argument unless `name` is convex and non-decreasing.
void check_convex_activation(const std::string& name, const std::string& who);

/// Throws std::invalid_argument unless kernel is 0 (dense) or odd and positive.
void check_kernel(int64_t kernel, const std::string& who);

}  // namespace enflow::nn::detail
