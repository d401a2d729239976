// The Eulerian EVNN solver sharded over quadrature points: two ranks on threads, each holding
// half of a Gauss grid (and of the boundary points), must take the one-process steps — the
// fitted u⁰ and every L-BFGS step — so that the parameters after the run equal the
// one-process parameters up to rounding (float64), and be bit-identical on both ranks — also
// with the volume constraint, whose integral couples every point to all others. The
// runs are short: L-BFGS on these fits amplifies the rounding of the split sums about tenfold
// per iteration.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>

#include "enflow/distributed/group.h"
#include "enflow/distributed/launch.h"
#include "enflow/flows/eulerian.h"
#include "enflow/flows/quadrature.h"
#include "support/local_environment.h"

namespace enflow::flows {
namespace {

using distributed::Group;

const auto kF64 = torch::TensorOptions().dtype(torch::kFloat64);

enum class Case { kHeat, kPoisson, kHeatVolume };

// Heat on [0,1]² from sin(πx)sin(πy) with zero Dirichlet values by construction, or Poisson
// with the boundary by penalty: the two ways a quadrature enters the objective; and heat
// with the volume kept by the shift (N − ∫N + V₀)/|Ω|, whose ∫N couples all points.
EulerianProblem problem_of(Case c, Group* g) {
  const bool heat = c != Case::kPoisson;
  EulerianProblem p;
  p.dim = 2;
  auto share = [g](const Quadrature& q) -> Quadrature {
    if (!g) return q;
    const int64_t n = q.size(), r = g->rank(), w = g->size();
    const int64_t b = n * r / w, e = n * (r + 1) / w;
    return {q.points.narrow(0, b, e - b).clone(), q.weights.narrow(0, b, e - b).clone()};
  };
  p.interior = share(box_gauss({0, 0}, {1, 1}, 9, kF64));  // 81 points: uneven shares
  auto sines = [](const at::Tensor& x) { return torch::sin(M_PI * x).prod(1); };
  if (heat) {
    p.density = [](const at::Tensor&, const at::Tensor&, const at::Tensor& gu) {
      return 0.5 * gu.pow(2).sum(1);
    };
    p.ansatz = [](const at::Tensor& x, const at::Tensor& n) { return (x * (1 - x)).prod(1) * n; };
    p.initial = sines;
    p.conserve_volume = c == Case::kHeatVolume;
  } else {
    p.density = [sines](const at::Tensor& x, const at::Tensor& u, const at::Tensor& gu) {
      return 0.5 * gu.pow(2).sum(1) - 2 * M_PI * M_PI * sines(x) * u;
    };
    p.boundary = share(box_boundary_samples({0, 0}, {1, 1}, 33, "halton", 7, kF64));
    p.boundary_value = [](const at::Tensor& x) { return torch::zeros({x.size(0)}, x.options()); };
    p.boundary_penalty = 100;
  }
  p.exact = [sines](const at::Tensor& x, double) { return sines(x); };
  return p;
}

struct Outcome {
  at::Tensor params;  // flattened
  std::vector<double> energies;
  double error = 0, volume = 0, volume_drift = 0;
};

// The same network every time (made on the main thread: the threads would race for the
// global generator).
nn::ScalarNet fresh_net() {
  torch::manual_seed(11);
  auto net = nn::ScalarNet(nn::ScalarNetOptions(2).hidden({8}).width(8).blocks(1));
  net->to(torch::kFloat64);
  return net;
}

Outcome solve(nn::ScalarNet net, Case c, const std::shared_ptr<Group>& g) {
  const bool heat = c != Case::kPoisson;
  EulerianSolver s(net, problem_of(c, g.get()),
                   EulerianOptions()
                       .tau(heat ? 1e-2 : 1.0)
                       .optimizer(nn::OptimizerOptions().max_iter(4).history_size(10))
                       .fit_iter(10)
                       .group(g));
  Outcome o;
  s.fit_initial();
  o.volume = s.volume();
  o.energies.push_back(s.energy());
  for (int i = 0; i < 3; ++i) o.energies.push_back(s.step().energy_after);
  o.error = s.relative_l2_error(s.time());
  o.volume_drift = s.volume() - o.volume;
  std::vector<at::Tensor> flat;
  for (const auto& p : net->parameters()) flat.push_back(p.detach().reshape({-1}));
  o.params = torch::cat(flat);
  return o;
}

double relative_difference(const at::Tensor& a, const at::Tensor& b) {
  return ((a - b).abs().max() / a.abs().max()).item<double>();
}

TEST(DistributedEulerian, TwoRanksTakeTheOneProcessStepsOnAGaussGrid) {
  for (const auto c : {Case::kHeat, Case::kPoisson, Case::kHeatVolume}) {
    const auto one = solve(fresh_net(), c, nullptr);
    const std::vector<nn::ScalarNet> nets{fresh_net(), fresh_net()};
    const int port = distributed::free_port();
    std::vector<Outcome> two(2);
    auto rank = [&](int r) {
      auto g = Group::connect(distributed::local_environment(r, 2, port), 30);
      two[static_cast<size_t>(r)] = solve(nets[static_cast<size_t>(r)], c, g);
      g->barrier();
    };
    std::thread t1(rank, 1);
    rank(0);
    t1.join();
    const double d = relative_difference(one.params, two[0].params);
    std::printf(
        "  %s: parameters after the fit and 3 L-BFGS steps, 2 ranks vs 1: %.2e; "
        "energy %.12g vs %.12g; error %.3g\n",
        c == Case::kHeat      ? "heat (fit + construction)"
        : c == Case::kPoisson ? "Poisson (boundary penalty)"
                              : "heat, volume kept",
        d, one.energies.back(), two[0].energies.back(), one.error);
    EXPECT_LE(d, 1e-12);
    EXPECT_TRUE(torch::equal(two[0].params, two[1].params));  // the same step on every rank
    for (size_t i = 0; i < one.energies.size(); ++i)
      // Poisson's F_h = ½∫|∇u|² − ∫fu cancels to a small number: absolute at scale 1.
      EXPECT_NEAR(two[0].energies[i], one.energies[i],
                  1e-12 * std::max(1.0, std::abs(one.energies[i])));
    EXPECT_NEAR(two[1].error, one.error, 1e-10);
    EXPECT_LT(one.energies.back(), one.energies.front());  // it did move
    if (c == Case::kHeatVolume) {  // the shift keeps ∫u on every rank count
      EXPECT_NEAR(two[0].volume, one.volume, 1e-12);
      EXPECT_NEAR(two[0].volume_drift, 0.0, 1e-12);
    }
  }
}

}  // namespace
}  // namespace enflow::flows
