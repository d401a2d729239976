// Committor functions of overdamped Langevin dynamics dX = -grad V dt + sqrt(2/beta) dB between
// sets A and B, by minimizing the Dirichlet energy
//   1/2 int |grad q|^2 exp(-beta V) dx,   q = 0 on A, q = 1 on B,
// over a network q. The boundary conditions are built in (q = lift + distance * N(x)) where the
// problem provides lift and distance, as every shipped problem does; otherwise they enter by a
// penalty whose weight grows during the run (continuation). The integral is estimated on weighted
// samples (Gibbs samples from MALA, or a biased measure with likelihood weights).
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>
#include <torch/nn/module.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "enflow/io/key_spec.h"
#include "enflow/nn/optimizer.h"
#include "enflow/registry.h"
#include "enflow/sampling/mala.h"
#include "enflow/variational/common.h"

namespace enflow::io {
class KeyReader;
}

namespace enflow::distributed {
class Group;
}

namespace enflow::variational {

/// A committor problem: potential, the two sets, and where to integrate.
struct CommittorProblem {
  std::string name;
  int64_t dim = 0;
  double beta = 1.0;
  ScalarField potential;                                    ///< V [B, d] -> [B]; empty means V = 0
  std::function<at::Tensor(const at::Tensor&)> in_a, in_b;  ///< [B, d] -> bool [B]
  /// Samples covering the transition region and parts of A and B, with log-weights
  /// log(exp(-beta V) / sampling density) + const. Uses the global LibTorch generator.
  Sampler sampler;
  at::Tensor input_shift, input_scale;  ///< optional [d]: the network sees (x - shift) / scale
  ScalarField exact;                    ///< optional closed form
  /// Optional exact boundary conditions: q = lift + distance * network, with lift = 0 on A and
  /// 1 on B, distance = 0 on both boundaries and > 0 between them (no penalty needed).
  ScalarField lift, distance;
};

/// Gibbs samples of exp(-sample_beta V) from persistent MALA chains (enflow/sampling/mala.h),
/// reweighted to exp(-beta V); each batch is mala.thin steps after the last.
struct GibbsSampling {
  TORCH_ARG(double, sample_beta) = 1.0;
  TORCH_ARG(sampling::MalaOptions,
            mala) = sampling::MalaOptions().step(1e-3).burn_in(2000).thin(5).target_acceptance(0.6);
};

/// V = (x^2 - 1)^2 in 1-D, A = {x <= -1}, B = {x >= 1}; samples uniform on
/// [-1 - margin, 1 + margin] with weights exp(-beta V). `exact` by quadrature:
/// q(x) = int_{-1}^x exp(beta V) / int_{-1}^1 exp(beta V).
CommittorProblem double_well_problem(double beta, const at::TensorOptions& options,
                                     double margin = 0.2);

/// Free diffusion (V = 0) between concentric spheres in R^dim: A = {|x| <= a},
/// B = {|x| >= b}; samples with |x| uniform on [a - margin, b + margin] and weights
/// |x|^(dim-1) (the uniform measure). exact: q(r) = (a^(2-d) - r^(2-d)) / (a^(2-d) - b^(2-d))
/// (log form for d = 2).
CommittorProblem concentric_spheres_problem(int64_t dim, double a, double b,
                                            const at::TensorOptions& options, double margin = 0.05);

/// The Mueller-Brown potential in (x1, x2) plus confine/2 * sum_{i>2} x_i^2 (dim >= 2); A and
/// B are disks of `radius` around the minima (-0.558, 1.442) and (0.623, 0.028). MALA at
/// gibbs.sample_beta with weights exp(-(beta - sample_beta) V). Boundary conditions can be built
/// in: lift = phi_A / (phi_A + phi_B) and distance = phi_A phi_B / (phi_A + phi_B) with
/// phi = squared distance to a centre minus radius^2.
CommittorProblem muller_brown_problem(int64_t dim, double beta, const GibbsSampling& gibbs,
                                      const at::TensorOptions& options, double confine = 20.0,
                                      double radius = 0.1);
/// The Mueller-Brown potential alone, [B, >=2] -> [B] (uses the first two coordinates).
at::Tensor muller_brown_potential(const at::Tensor& x);

/// Extended Ginzburg-Landau in n dimensions (a discretized field u on (0, 1), u_0 = u_{n+1} = 0,
/// h = 1/(n+1)): V(u) = h sum_{i=1}^{n+1} lambda/2 ((u_i - u_{i-1})/h)^2
///                     + h sum_{i=1}^{n} (1 - u_i^2)^2 / (4 lambda);
/// A = {mean(u) <= -set_level}, B = {mean(u) >= set_level}. Nearly all the Gibbs mass sits
/// in the wells, inside A and B, where q is known; the Dirichlet integral lives between them.
/// So the sampler is MALA (weights as above) restricted to |mean(u)| < set_level + margin:
/// the Gibbs measure of the transition region plus a shell of A and B (for the penalty route), with
/// chains started on kinks tanh((x - c) / (sqrt(2) lambda)), mean(u) uniform in
/// (-set_level, set_level). Built-in boundary conditions through m = mean(u):
/// lift = (m + s) / 2s, distance = (m + s)(s - m) / 4s^2.
CommittorProblem ginzburg_landau_problem(int64_t n, double lambda, double beta,
                                         const GibbsSampling& gibbs,
                                         const at::TensorOptions& options, double set_level = 0.5,
                                         double margin = 0.1);

/// Points on the Ginzburg-Landau transition path: for each level m, the minimizer of the
/// problem's V subject to mean(u) = m, by L-BFGS from a kink tanh((x - (1 - m)/2)/0.05).
/// For small lambda this is a kink sliding across the chain, the minimum-energy path between
/// the wells. Negation with reversal (u_i -> -u_{n+1-i}) maps the level m to -m, so a
/// committor must satisfy q(path(-m)) = 1 - q(path(m)). Returns [levels, n].
at::Tensor ginzburg_landau_path(const CommittorProblem& problem, const std::vector<double>& levels);

/// The committor problem table: problem.system → help, the problem.* (and sampler.*) keys it
/// reads with this problem's defaults, and a factory reading them, registered in the file
/// that defines the problems. Shipped: double_well, spheres, muller_brown, ginzburg_landau.
struct CommittorProblemEntry {
  static constexpr const char* kKind = "committor problem.system";
  std::string help;
  std::vector<io::KeySpec> keys;  ///< besides problem.system
  std::function<CommittorProblem(const io::KeyReader&, const at::TensorOptions&)> make;
};
using CommittorProblemRegistry = Registry<CommittorProblemEntry>;
using CommittorProblemRegistrar = Registrar<CommittorProblemEntry>;

/// The keys of GibbsSampling: sampler.sample_beta, sampler.step, sampler.burn_in, sampler.thin
/// with GibbsSampling()'s defaults, and their reader.
std::vector<io::KeySpec> gibbs_sampling_key_specs();
GibbsSampling gibbs_sampling_from_config(const io::KeyReader& keys);

struct CommittorOptions {
  TORCH_ARG(std::vector<int64_t>, hidden) = std::vector<int64_t>{32, 32};
  TORCH_ARG(bool, sigmoid_output) = true;  ///< q = sigmoid(network), values in (0, 1)
  /// Use the problem's lift and distance (when it has them) instead of the penalty.
  TORCH_ARG(bool, exact_boundary) = true;
  /// Adam: fresh samples every step; L-BFGS (strong Wolfe) on a fixed sample set of
  /// batch_size points, redrawn every `lbfgs_inner` steps (good for small problems).
  TORCH_ARG(nn::OptimizerKind, optimizer) = nn::OptimizerKind::kAdam;
  TORCH_ARG(int64_t, lbfgs_inner) = 100;
  TORCH_ARG(int64_t, iterations) = 2000;  ///< optimizer steps (L-BFGS: function evaluations)
  TORCH_ARG(int64_t, batch_size) = 1000;
  TORCH_ARG(double, lr) = 1e-3;
  TORCH_ARG(double, lr_final) = 1e-4;  ///< learning rate decays geometrically to this
  /// Penalty weight grows geometrically from penalty_start to penalty_end over the first
  /// `continuation` fraction of the run, then stays.
  TORCH_ARG(double, penalty_start) = 10.0;
  TORCH_ARG(double, penalty_end) = 1000.0;
  TORCH_ARG(double, continuation) = 0.5;
  TORCH_ARG(int64_t, seed) = 0;
  TORCH_ARG(int64_t, progress_every) = 100;
  TORCH_ARG(ProgressFn, on_progress) = nullptr;
  /// Many processes: each rank draws its share of every batch from its own stream (its own
  /// chains); the weight normalization, the boundary counts, the losses and gradients are
  /// sums over all ranks (docs/distributed.md).
  TORCH_ARG(std::shared_ptr<distributed::Group>, group) = nullptr;
};

struct CommittorResult {
  std::shared_ptr<torch::nn::Module> net;
  ScalarField q;  ///< the learned committor, [B, d] -> [B], no autograd graph
  std::vector<double> loss_history, dirichlet_history;  ///< every iteration
  double dirichlet_energy = 0;  ///< final estimate of E_w[|grad q|^2 1_{not A, not B}]
  double boundary_error = 0;    ///< final rms of q on A and of q - 1 on B
  int64_t iterations = 0;
  double seconds = 0;
};

/// Trains a committor network. Throws std::invalid_argument on an incomplete problem or bad
/// options.
CommittorResult solve_committor(const CommittorProblem& problem, const CommittorOptions& options);

/// Reference committor of a 2-D potential by finite volumes on a uniform grid over
/// [x0, x1] x [y0, y1] (no flux through the box), solved by Jacobi-preconditioned CG.
/// Returns values [ny, nx]; `interpolate` evaluates it bilinearly at [B, >=2] points.
struct GridCommittor {
  at::Tensor values;  ///< [ny, nx]
  double x0, x1, y0, y1;
  int64_t cg_iterations = 0;
  double residual = 0;
  /// E[|grad q|^2] under exp(-beta V) on the box: the minimum a network can reach.
  double dirichlet_energy = 0;
  at::Tensor interpolate(const at::Tensor& x) const;
};
GridCommittor grid_committor_2d(const CommittorProblem& problem, double x0, double x1, double y0,
                                double y1, int64_t nx, int64_t ny, double tol = 1e-10,
                                int64_t max_iterations = 200000);

}  // namespace enflow::variational
