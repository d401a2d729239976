// Ordinary and discrete gradients of an energy written against ad::Var.
//
// The energy maps a batch of states [B, ...] to one energy per sample [B]. Samples must
// not interact (no batch statistics), so that the gradient of the batch sum is the
// batch of per-sample gradients.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>

#include "enflow/ad/var.h"

namespace enflow::ad {

using EnergyFn = std::function<Var(const Var&)>;

struct DiscreteGradient {
  at::Tensor H_u;    ///< H(u), [B]
  at::Tensor H_v;    ///< H(v), [B]
  at::Tensor dgrad;  ///< ∇̄H(u, v), shape of u; H(u) − H(v) = Σ dgrad·(u − v) per sample
};

/// H(u), [B].
at::Tensor energy(const EnergyFn& H, const at::Tensor& u);

/// ∇H(u). With create_graph the result stays differentiable (training, Newton Jacobians).
at::Tensor gradient(const EnergyFn& H, const at::Tensor& u, bool create_graph = false);

/// Throws std::invalid_argument (naming `what`) unless u and v share shape, dtype and device.
void check_pair(const at::Tensor& u, const at::Tensor& v, const char* what);

/// H(u), H(v) and the discrete gradient ∇̄H(u, v) by automatic discrete differentiation.
/// Differentiable with respect to u, v and the energy's parameters when create_graph is set.
/// Throws std::invalid_argument if u and v differ in shape, dtype or device.
DiscreteGradient discrete_gradient(const EnergyFn& H, const at::Tensor& u, const at::Tensor& v,
                                   bool create_graph = false);

/// The two derivative routes of an energy, for solvers that need both: the ordinary
/// gradient and the discrete gradient (e.g. an EnergyNet's hand-written reverse passes).
struct EnergyDerivatives {
  std::function<at::Tensor(const at::Tensor& u, bool create_graph)> gradient;
  std::function<DiscreteGradient(const at::Tensor& u, const at::Tensor& v, bool create_graph)>
      discrete_gradient;
};

/// The routes of an energy written against Var (gradient and discrete_gradient above).
EnergyDerivatives derivatives_of(const EnergyFn& H);

}  // namespace enflow::ad
