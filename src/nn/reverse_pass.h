// Hand-written reverse passes for energies built from the standard layers (Linear,
// PeriodicConv 1-D/2-D/3-D, activations, residual blocks, sums): the fast path behind
// EnergyNet::gradient and EnergyNet::discrete_gradient.
//
// The discrete gradient of a layer stack is the product of the layers' discrete
// Jacobians, transposed: ∇̄H(u, v) = J̄₁ᵀ J̄₂ᵀ … J̄ₙᵀ 1. Evaluating it needs one forward pass
// over u and v stacked into one batch (so every matrix product is one call on 2B rows),
// the divided differences of each activation, and one reverse pass over B rows — the
// same cost pattern as the ordinary gradient (forward over B rows, reverse over B rows),
// and no tangent propagation. Everything is written in differentiable ATen operations,
// so the results carry an autograd graph to the parameters (and inputs) when asked.
//
// Periodic convolutional energies run channels-last ([N, *grid, C]): a 1×1 convolution is
// then one matrix product over N·(grid points) rows instead of N small ones.
#pragma once

#include <torch/types.h>

#include <memory>
#include <vector>

#include "enflow/ad/discrete_gradient.h"
#include "enflow/nn/energy_net.h"

namespace enflow::nn::reverse {

/// A layer stack flattened into primitive steps that have hand-written reverse rules.
class Plan;

/// Compiles `body` into a plan, or returns nullptr when some layer has no hand-written
/// rule (the caller then falls back to ad::Var tangent propagation).
std::shared_ptr<const Plan> compile(LayerImpl& body);

/// H(u) [B] and ∇H(u), shape of u.
std::pair<torch::Tensor, torch::Tensor> gradient(const Plan& plan, const torch::Tensor& u,
                                                 bool create_graph);

/// H(u), H(v) and ∇̄H(u, v).
ad::DiscreteGradient discrete_gradient(const Plan& plan, const torch::Tensor& u,
                                       const torch::Tensor& v, bool create_graph);

}  // namespace enflow::nn::reverse
