// Restarted GMRES for a batch of independent linear systems A_b x_b = b_b, run in lockstep:
// one call of the operator applies every sample's matrix (one batched autograd pass for the
// Newton–Krylov JVPs), and each sample keeps its own Krylov basis, Hessenberg matrix and
// Givens rotations, so it converges as if solved alone.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <functional>

namespace enflow::integrators {

/// v [B, d] → (A_b v_b)_b [B, d]: sample b's matrix applied to row b only.
using BatchedOperator = std::function<at::Tensor(const at::Tensor& v)>;

struct GmresOptions {
  TORCH_ARG(int, restart) = 30;          ///< Krylov vectors kept before a restart
  TORCH_ARG(int, max_iterations) = 300;  ///< operator applications in all (all restarts)
 public:
};

struct GmresReport {
  int iterations = 0;  ///< operator applications
  bool converged = false;
};

/// x [B, d] with ‖b_b − A_b x_b‖₂ ≤ atol_b for every sample (atol [B]), from x = 0, or the
/// last iterate when max_iterations runs out (report->converged false; no throw: an inexact
/// Newton caller judges its own residual). With M, right preconditioning: A M y = b,
/// x = M y (the residual is still the true one).
at::Tensor batched_gmres(const BatchedOperator& A, const at::Tensor& b, const at::Tensor& atol,
                         const GmresOptions& options = {}, GmresReport* report = nullptr,
                         const BatchedOperator& M = nullptr);

}  // namespace enflow::integrators
