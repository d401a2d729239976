// Convolution with periodic (circular) padding on grids of 1, 2 or 3 axes: the one place
// that checks the shapes, pads and dispatches to conv1d / conv2d / conv3d (the ad::Var
// rules conv1d_circular ... conv3d_circular).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace enflow::ad {

/// Throws std::invalid_argument (naming `what`) unless x is [B, C_in, *grid] with `axes`
/// grid axes, weight is [C_out, C_in, k, ...] with an odd k on every axis (k/2 at most the
/// grid size), and bias is undefined or [C_out].
void check_circular_conv(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                         int64_t axes, const char* what);

/// Pads every grid axis (all axes after the first two) by `pad[i]` values on each side,
/// wrapping around.
at::Tensor circular_pad(const at::Tensor& x, const at::IntArrayRef pad);

/// conv{axes}d of the circularly padded x ("same" size output); bias may be undefined.
/// No checks: call check_circular_conv first.
at::Tensor conv_circular(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

}  // namespace enflow::ad
