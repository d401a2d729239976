// Training a dynamics model on finite-difference pairs (u₀, u₁, Δt) of trajectories:
// loss = mean ‖(u₁ − u₀)/Δt − rate(u₀, u₁)‖², with the model's rate from its training
// scheme (discrete gradient for DGNet, one integrator step for the baselines).
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <torch/arg.h>

#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "enflow/io/dataset.h"
#include "enflow/models/model.h"
#include "enflow/models/stepper.h"
#include "enflow/progress.h"

namespace enflow::distributed {
class Group;
}

namespace enflow::learn {

/// Consecutive state pairs: u0, u1 [N, d], dt [N], and u0's times t0 [N] (read by
/// time-dependent forces; undefined: 0).
struct PairSet {
  at::Tensor u0, u1, dt, t0;
  int64_t size() const { return u0.defined() ? u0.size(0) : 0; }
  /// The pairs at `index` / pairs [start, start + n), every member alike.
  PairSet index_select(const at::Tensor& index) const;
  PairSet narrow(int64_t start, int64_t n) const;
  /// (u1 − u0)/dt, [N, d]
  at::Tensor finite_difference() const;
};

/// Pairs from the given series of a dataset (all pairs of each series), converted to
/// dtype/device. Irregular time stamps give per-pair Δt.
PairSet make_pairs(const io::Dataset& data, const std::vector<int64_t>& series,
                   c10::ScalarType dtype, c10::Device device);

/// Windows of K + 1 consecutive time points of one series (multi-step training): states
/// [N, K + 1, d], time stamps t [N, K + 1].
struct WindowSet {
  at::Tensor states, t;
  int64_t size() const { return states.defined() ? states.size(0) : 0; }
  int64_t steps() const { return states.defined() ? states.size(1) - 1 : 0; }
};

/// Every window of K + 1 consecutive time points of each series (over its own length; a
/// series shorter than K + 1 gives none), converted to dtype/device.
WindowSet make_windows(const io::Dataset& data, const std::vector<int64_t>& series, int64_t K,
                       c10::ScalarType dtype, c10::Device device);

/// The multi-step (rollout) loss of windows: from each window's first state the model steps K
/// times by `step` (differentiably, models::differentiable_step) and the loss is the mean over
/// windows, steps k and components of ((û_k − u_k)/(t_k − t_0))². For K = 1 and an explicit
/// scheme it is the one-step loss of the pairs; for larger K errors that build up count.
/// `mean_over` > 0 divides the sum over these windows by that many windows instead of by
/// their own count: a rank's share of a global batch of mean_over windows (data-parallel
/// training sums the shares).
at::Tensor rollout_loss(models::DynamicsModelImpl& model, const WindowSet& windows,
                        const at::Tensor& index, const models::StepOptions& step,
                        int64_t mean_over = 0);

/// rollout_loss over all windows, in chunks of `chunk`, as a number.
double rollout_mse(models::DynamicsModelImpl& model, const WindowSet& windows,
                   const models::StepOptions& step, int64_t chunk = 1000);

struct TrainOptions {
  TORCH_ARG(double, lr) = 1e-3;
  TORCH_ARG(int64_t, batch) = 200;  ///< 0 or ≥ N: full batch
  TORCH_ARG(int64_t, iterations) = 1000;
  TORCH_ARG(double, weight_decay) = 0.0;
  /// Learning rate of the structure's parameters (friction, a scaled flow's c, learned G):
  /// a few coefficients that Adam moves by ~lr per step; 0: lr. Without decay.
  TORCH_ARG(double, structure_lr) = 0.0;
  TORCH_ARG(uint64_t, seed) = 0;
  TORCH_ARG(int64_t, log_every) = 100;
  /// Write a checkpoint (model + optimizer + iteration) every N iterations; 0: never.
  TORCH_ARG(int64_t, checkpoint_every) = 0;
  TORCH_ARG(std::string, checkpoint_path) = "";
  /// Continue from checkpoint_path if it exists.
  TORCH_ARG(bool, resume) = false;
  /// What the weights depend on ("key = value" lines, e.g. the [model] table): stored in each
  /// checkpoint; resuming from a checkpoint with other lines is refused, naming them.
  TORCH_ARG(std::string, checkpoint_tag) = "";
  TORCH_ARG(models::StepOptions, step) = models::StepOptions();
  /// Held-out pairs scored (rate MSE) at every log interval: the parameters of the best
  /// score are kept and restored at the end; null: none.
  TORCH_ARG(std::shared_ptr<const PairSet>, validation) = nullptr;
  /// Stop after this many validations without a better score; 0: never stop early.
  TORCH_ARG(int64_t, patience) = 0;
  /// Multi-step training: when set, the loss is rollout_loss over these windows (batch
  /// counts windows) instead of the one-step loss over the pairs.
  TORCH_ARG(std::shared_ptr<const WindowSet>, windows) = nullptr;
  /// With windows and validation: held-out windows, scored by their rollout loss instead of
  /// the validation pairs' rate MSE (from the first log on, so every score is comparable).
  TORCH_ARG(std::shared_ptr<const WindowSet>, validation_windows) = nullptr;
  /// With windows: the one-step loss over the pairs until this iteration, the rollout loss
  /// after it (a one-step fit first, then the long term; 0: rollout from the start).
  TORCH_ARG(int64_t, rollout_start) = 0;
  /// Data-parallel training (distributed::Group; null: one process). Every rank draws the
  /// same global batch and takes its contiguous share; the gradients are summed over the
  /// ranks, so the update is the one-process update of the global batch. Rank 0 alone
  /// writes checkpoints, scores validation and reports progress.
  TORCH_ARG(std::shared_ptr<distributed::Group>, group) = nullptr;
  /// With a group: start each gradient bucket's allreduce from inside the backward pass, as
  /// soon as its gradients are complete (distributed::GradientOverlap), instead of after it.
  /// The sums are the same.
  TORCH_ARG(bool, overlap_allreduce) = false;
  /// With a group: bytes per gradient bucket (one allreduce each); overlap needs several.
  TORCH_ARG(int64_t, bucket_bytes) = 25 << 20;
};

struct TrainReport {
  int64_t iterations = 0;       ///< the iteration reached (counted from the first run)
  int64_t start_iteration = 0;  ///< > 0 when resumed
  double final_loss = 0.0;      ///< mean loss over the last log interval
  double seconds = 0.0;         ///< training wall time, summed over resumed runs
  std::vector<int64_t> logged_iterations;
  std::vector<double> logged_loss;
  /// With validation pairs: the score at each logged iteration, the best one and where it
  /// was reached (the parameters returned are that iteration's), and whether patience ran out.
  std::vector<double> logged_validation;
  double validation_loss = std::numeric_limits<double>::quiet_NaN();
  int64_t best_iteration = 0;
  bool stopped_early = false;
  int world_size = 1;  ///< processes that trained together (options.group)
  /// With a group: what this rank's collectives moved during the loop and the time it
  /// spent in them (the gradient and loss allreduces).
  int64_t comm_bytes = 0;
  double comm_seconds = 0.0;
  double backward_seconds = 0.0;  ///< with a group: this rank's time in the backward passes
};

/// Adam training. A checkpoint is committed to disk only once the loss of the state it holds
/// has been seen to be finite (one iteration later), so the file on disk is always a state
/// that training can continue from. Throws std::runtime_error if the loss becomes NaN or inf,
/// saying which checkpoint exists; throws enflow::Interrupted at the next iteration after
/// SIGINT/SIGTERM, after committing the checkpoint in hand.
TrainReport train(models::DynamicsModelImpl& model, const PairSet& pairs,
                  const TrainOptions& options, const ProgressFn& on_progress = {});

/// Mean squared error between (u₁ − u₀)/Δt and the model's rate, over all pairs
/// (Deriv. MSE, evaluated in chunks of `chunk` pairs).
double rate_mse(models::DynamicsModelImpl& model, const PairSet& pairs,
                const models::StepOptions& step, int64_t chunk = 1000);

}  // namespace enflow::learn
