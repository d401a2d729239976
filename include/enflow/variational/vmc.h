// Variational Monte Carlo for the periodic transverse-field Ising chain
//   H = -J sum_i sz_i sz_{i+1} - h sum_i sx_i
// with a restricted Boltzmann machine ansatz (real parameters; the ground state is positive),
// Metropolis single-spin-flip sampling and stochastic reconfiguration.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "enflow/variational/common.h"

namespace enflow::distributed {
class Group;
}

namespace enflow::variational {

/// Exact ground-state energy of the periodic chain (free fermions, even-parity sector):
/// E0 = -sum_{n=0}^{N-1} sqrt(J^2 + h^2 - 2 J h cos k_n), k_n = (2n+1) pi / N.
double tfim_exact_energy(int64_t n, double j, double h);

/// log psi(s) = a.s + sum_j log cosh(b_j + W_j.s), spins s in {-1, +1}.
struct Rbm {
  at::Tensor a, b, w;                             ///< [N], [M], [M, N]
  at::Tensor log_psi(const at::Tensor& s) const;  ///< [B, N] -> [B]
  /// Local energy <s|H|psi>/<s|psi> of the chain, [B, N] -> [B].
  at::Tensor local_energy(const at::Tensor& s, double j, double h) const;
};

struct VmcOptions {
  TORCH_ARG(int64_t, hidden_density) = 2;   ///< M = hidden_density * N
  TORCH_ARG(int64_t, samples) = 1000;       ///< parallel Markov chains = samples per step
  TORCH_ARG(int64_t, sweeps) = 1;           ///< N flip proposals each, between steps
  TORCH_ARG(int64_t, thermalization) = 50;  ///< sweeps before the first step
  TORCH_ARG(int64_t, iterations) = 500;
  TORCH_ARG(double, lr) = 0.05;
  TORCH_ARG(double, lr_final) = 0.01;    ///< geometric decay of the SR step
  TORCH_ARG(double, diag_shift) = 1e-2;  ///< SR solves (S + shift I) d = F; shift decays
  TORCH_ARG(double, diag_shift_final) = 1e-4;
  TORCH_ARG(double, init_std) = 0.01;
  TORCH_ARG(int64_t, final_samples) = 20000;  ///< for the final energy estimate
  TORCH_ARG(int64_t, seed) = 0;
  TORCH_ARG(at::TensorOptions, tensor_options) = at::TensorOptions().dtype(at::kDouble);
  TORCH_ARG(int64_t, progress_every) = 25;
  TORCH_ARG(ProgressFn, on_progress) = nullptr;
  /// Many processes: each rank runs its share of the `samples` chains from its own random
  /// stream; the SR matrix, force and energy are sums over all chains (docs/distributed.md).
  TORCH_ARG(std::shared_ptr<distributed::Group>, group) = nullptr;
};

struct VmcResult {
  Rbm rbm;
  std::vector<double> energy_history, error_history;  ///< per step: mean and its std. error
  double energy = 0, energy_error = 0;                ///< final estimate on final_samples samples
  double variance = 0;  ///< variance of the local energy (0 for an eigenstate)
  double acceptance = 0;
  int64_t iterations = 0;
  double seconds = 0;
};

VmcResult solve_vmc_tfim(int64_t n, double j, double h, const VmcOptions& options);

}  // namespace enflow::variational
