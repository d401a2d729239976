// The potential-flow generative model (Monge–Ampère flow, Zhang, E & Wang 2018): base points
// z ~ N(0, I) flow along the gradient of a scalar network φ,
//   dx/dt = ∇φ(x, t),   d log p/dt = −Δφ(x, t),   0 ≤ t ≤ T,
// so log p_T(x(T)) = log N(z) − ∫₀ᵀ Δφ(x(t), t) dt. The Laplacian is exact (no trace
// estimator): in closed form for the model's network (potential_net.h), by d reverse passes of
// autodiff for any other φ. The ODE is integrated with fixed-step RK4 in either direction:
// forward to sample, backward from a data point to its base point to evaluate the density.
// Training is maximum likelihood, differentiating through the integrator.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "enflow/particles/common.h"
#include "enflow/particles/potential_net.h"

namespace enflow::particles {

/// φ at points [N, d] and time t: [N].
using Potential = std::function<at::Tensor(const at::Tensor& x, double t)>;

/// ∇φ [N, d] and Δφ [N] at (x, t). With create_graph both stay differentiable in φ's
/// parameters; without, they come back detached.
using PotentialField = std::function<std::pair<at::Tensor, at::Tensor>(
    const at::Tensor& x, double t, bool create_graph)>;

/// ∇φ and Δφ of any differentiable φ by autodiff (d + 1 reverse passes), exact.
std::pair<at::Tensor, at::Tensor> gradient_and_laplacian(const Potential& phi, const at::Tensor& x,
                                                         double t, bool create_graph);
/// gradient_and_laplacian as a PotentialField.
PotentialField autograd_field(const Potential& phi);

/// A base point, its image at t = T, and log p_T at the image.
struct Transport {
  at::Tensor z, x, log_p;
};

/// log N(z; 0, I) per row: [N].
at::Tensor standard_normal_log_prob(const at::Tensor& z);

/// z ↦ x: integrates from t = 0 to T in `steps` RK4 steps. path (optional) receives the
/// detached positions at t = kT/steps, k = 0..steps.
Transport push_forward(const PotentialField& field, const at::Tensor& z, double horizon,
                       int64_t steps, bool create_graph = false,
                       std::vector<at::Tensor>* path = nullptr);

/// x ↦ z: integrates from t = T back to 0 in `steps` RK4 steps; log_p = log p_T(x).
Transport pull_back(const PotentialField& field, const at::Tensor& x, double horizon, int64_t steps,
                    bool create_graph = false);

struct PotentialFlowOptions {
  explicit PotentialFlowOptions(int64_t dim) : dim_(dim) {}
  TORCH_ARG(int64_t, dim);
  /// φ: a tanh network (potential_net.h) of this width and depth.
  TORCH_ARG(int64_t, width) = 64;
  TORCH_ARG(int64_t, depth) = 2;
  /// φ(x, t) (the network sees t as one more input) instead of φ(x).
  TORCH_ARG(bool, time_dependent) = false;
  TORCH_ARG(double, horizon) = 1.0;  ///< T
  TORCH_ARG(int64_t, steps) = 10;    ///< RK4 steps used unless a call asks otherwise
};

class PotentialFlowImpl : public torch::nn::Module {
 public:
  explicit PotentialFlowImpl(const PotentialFlowOptions& options);
  at::Tensor potential(const at::Tensor& x, double t);
  /// ∇φ and Δφ in closed form.
  PotentialField field();
  /// log p_T(x) (steps 0: options().steps()).
  at::Tensor log_prob(const at::Tensor& x, int64_t steps = 0, bool create_graph = false);
  Transport pull_back(const at::Tensor& x, int64_t steps = 0, bool create_graph = false);
  Transport push_forward(const at::Tensor& z, int64_t steps = 0,
                         std::vector<at::Tensor>* path = nullptr);
  /// n samples with their log-density (global generator, float64 unless moved).
  Transport sample(int64_t n, int64_t steps = 0);
  const PotentialFlowOptions& options() const { return options_; }

 private:
  int64_t resolve(int64_t steps) const;
  PotentialFlowOptions options_;
  PotentialNet net_{nullptr};
};
TORCH_MODULE(PotentialFlow);

struct PotentialFlowFitOptions {
  TORCH_ARG(int64_t, iterations) = 2000;
  TORCH_ARG(int64_t, batch_size) = 512;  ///< fresh data samples every iteration
  TORCH_ARG(double, lr) = 5e-3;
  TORCH_ARG(double, lr_final) = 5e-4;  ///< geometric decay to this
  TORCH_ARG(double, clip) = 10;        ///< gradient-norm clipping; 0 for none
  TORCH_ARG(int64_t, progress_every) = 10;
  /// Progress: loss = batch NLL, metric = gradient norm before clipping.
  TORCH_ARG(ProgressFn, on_progress) = nullptr;
};

struct PotentialFlowFit {
  std::vector<double> nll;  ///< batch NLL per iteration
  double seconds = 0;
};

/// Maximum likelihood with Adam on batches from `data` (n -> [n, d]).
PotentialFlowFit fit_potential_flow(PotentialFlowImpl& model,
                                    const std::function<at::Tensor(int64_t)>& data,
                                    const PotentialFlowFitOptions& options);

/// Mean −log p over x (in chunks), and its standard error.
std::pair<double, double> mean_nll(PotentialFlowImpl& model, const at::Tensor& x,
                                   int64_t steps = 0);

/// Model files: the parameters, the options and a text (the config that trained it) in one
/// LibTorch archive, written atomically.
void save_potential_flow(const std::string& path, PotentialFlowImpl& model,
                         const std::string& config_text);
struct LoadedPotentialFlow {
  PotentialFlow model{nullptr};
  std::string config_text;
};
/// Throws std::runtime_error naming the file if it is missing or not a potential-flow model.
LoadedPotentialFlow load_potential_flow(const std::string& path);

}  // namespace enflow::particles
