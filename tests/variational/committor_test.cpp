#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "enflow/variational/committor.h"

namespace enflow::variational {
namespace {

const auto kF64 = torch::TensorOptions().dtype(torch::kDouble);

double max_abs_error(const ScalarField& a, const ScalarField& b, const torch::Tensor& x) {
  return (a(x) - b(x)).abs().max().item<double>();
}

TEST(Committor, DoubleWellQuadratureIsSymmetricMonotoneAndSolvesTheOde) {
  const double beta = 3.0;
  auto p = double_well_problem(beta, kF64);
  auto x = torch::linspace(-1, 1, 401, kF64).unsqueeze(1);
  auto q = p.exact(x);
  EXPECT_NEAR(q[0].item<double>(), 0.0, 1e-14);
  EXPECT_NEAR(q[400].item<double>(), 1.0, 1e-14);
  EXPECT_NEAR(q[200].item<double>(), 0.5, 1e-9);  // V is even
  EXPECT_LT((q + q.flip(0) - 1).abs().max().item<double>(), 1e-9);
  EXPECT_GT((q.narrow(0, 1, 400) - q.narrow(0, 0, 400)).min().item<double>(), 0.0);
  // q' exp(-beta V) is constant (the flux): check by central differences.
  const double hx = 2.0 / 400;
  auto dq = (q.narrow(0, 2, 399) - q.narrow(0, 0, 399)) / (2 * hx);
  auto flux = dq * torch::exp(-beta * p.potential(x.narrow(0, 1, 399)));
  EXPECT_LT((flux / flux.mean() - 1).abs().max().item<double>(), 1e-3);
}

TEST(Committor, DoubleWellNetworkMatchesClosedForm) {
  auto p = double_well_problem(3.0, kF64);
  auto r = solve_committor(p, CommittorOptions()
                                  .hidden({16, 16})
                                  .iterations(600)
                                  .batch_size(500)
                                  .lr(1e-2)
                                  .lr_final(1e-4)
                                  .seed(1));
  auto x = torch::linspace(-1, 1, 201, kF64).unsqueeze(1);
  const double err = max_abs_error(r.q, p.exact, x);
  // Stated bound: max |q - q_exact| on [-1, 1] below 0.03 (an untrained or constant q is
  // off by ~0.5; a straight line by ~0.2).
  EXPECT_LT(err, 0.03) << "max error " << err;
  EXPECT_LT(r.boundary_error, 1e-12);  // built into the network: q = lift + distance * N
  // The penalty route (no built-in boundary conditions) must also hold q near 0 and 1.
  auto rp = solve_committor(p, CommittorOptions()
                                   .hidden({16, 16})
                                   .exact_boundary(false)
                                   .iterations(400)
                                   .batch_size(500)
                                   .lr(3e-2)
                                   .lr_final(1e-4)
                                   .penalty_end(100)
                                   .seed(1));
  EXPECT_LT(rp.boundary_error, 0.02);
  EXPECT_LT(max_abs_error(rp.q, p.exact, x), 0.1);
}

double sphere_rms_error(int64_t dim, double a, double b, const CommittorResult& r,
                        const CommittorProblem& p) {
  // r uniform on [a, b] (not volume-weighted), so the steep part near A counts fully.
  torch::manual_seed(123);
  const int64_t n = 4000;
  auto rad = torch::rand({n, 1}, kF64) * (b - a) + a;
  auto dirs = torch::randn({n, dim}, kF64);
  auto x = rad * dirs / dirs.norm(2, 1, true);
  return (r.q(x) - p.exact(x)).pow(2).mean().sqrt().item<double>();
}

TEST(Committor, ConcentricSpheres3dMatchesExactProfile) {
  const double a = 1, b = 2;
  auto p = concentric_spheres_problem(3, a, b, kF64);
  auto r = solve_committor(p, CommittorOptions()
                                  .hidden({16, 16})
                                  .iterations(800)
                                  .batch_size(500)
                                  .lr(1e-2)
                                  .lr_final(1e-4)
                                  .seed(2));
  const double err = sphere_rms_error(3, a, b, r, p);
  // Stated bound: rms error over r uniform in [a, b] below 0.03 (the linear profile
  // (r-a)/(b-a) is off by 0.1 rms).
  EXPECT_LT(err, 0.03) << "rms error " << err;
}

TEST(Committor, ConcentricSpheres10dMatchesExactProfile) {
  const double a = 1, b = 1.25;
  auto p = concentric_spheres_problem(10, a, b, kF64);
  auto r = solve_committor(p, CommittorOptions()
                                  .hidden({32, 32})
                                  .iterations(1000)
                                  .batch_size(500)
                                  .lr(1e-2)
                                  .lr_final(1e-4)
                                  .seed(3));
  const double err = sphere_rms_error(10, a, b, r, p);
  // Stated bound: rms error below 0.06 (the linear profile (r-a)/(b-a) is off by 0.12 rms,
  // q = 1 - (a/r)^8 near A rises twice as steeply).
  EXPECT_LT(err, 0.06) << "rms error " << err;
}

TEST(Committor, GridSolverReproducesSeparableDoubleWell) {
  // V(x, y) = (x^2 - 1)^2 + y^2 with A = {x <= -1}, B = {x >= 1}: q depends on x only and is
  // the 1-D closed form.
  auto dw = double_well_problem(2.0, kF64);
  CommittorProblem p = dw;
  p.dim = 2;
  p.potential = [](const torch::Tensor& x) {
    return (x.select(1, 0).pow(2) - 1).pow(2) + x.select(1, 1).pow(2);
  };
  auto g = grid_committor_2d(p, -1.2, 1.2, -1.5, 1.5, 121, 61);
  EXPECT_LT(g.residual, 1e-8);
  auto pts = torch::rand({500, 2}, kF64) * torch::tensor({2.0, 3.0}, kF64) -
             torch::tensor({1.0, 1.5}, kF64);
  auto err = (g.interpolate(pts) - dw.exact(pts.narrow(1, 0, 1))).abs().max().item<double>();
  EXPECT_LT(err, 5e-3) << "grid vs quadrature " << err;
}

TEST(Committor, MalaSamplesTheGibbsMeasureOfTheConfiningTerm) {
  // With sample_beta = beta the weights are uniform and the third coordinate is
  // N(0, 1/(beta confine)) whatever the Mueller-Brown part does.
  const double beta = 0.1, confine = 20;
  auto p = muller_brown_problem(
      3, beta, GibbsSampling().sample_beta(beta).mala(GibbsSampling().mala().burn_in(300).thin(20)),
      kF64, confine);
  torch::manual_seed(4);
  auto s = p.sampler(2000);
  EXPECT_LT(s.log_w.abs().max().item<double>(), 1e-12);
  std::vector<torch::Tensor> xs{s.x};
  for (int k = 0; k < 4; ++k) xs.push_back(p.sampler(2000).x);
  auto z = torch::cat(xs).select(1, 2);
  const double var = z.var().item<double>(), expect = 1.0 / (beta * confine);
  EXPECT_NEAR(var / expect, 1.0, 0.08) << "variance " << var << " expected " << expect;
  EXPECT_NEAR(z.mean().item<double>(), 0.0, 0.05);
}

TEST(Committor, MullerBrownAndGinzburgLandauBuildTheirBoundaryConditionsIn) {
  // lift is 0 on the boundary of A and 1 on that of B, distance vanishes on both and is
  // positive between them, so q = lift + distance * N meets the conditions for any N.
  torch::manual_seed(5);
  const double radius = 0.1;
  auto mb = muller_brown_problem(3, 0.1, GibbsSampling(), kF64, 20.0, radius);
  auto circle = [&](double cx, double cy) {
    auto t = torch::rand({200}, kF64) * 2 * M_PI;
    auto x = torch::randn({200, 3}, kF64);
    x.select(1, 0).copy_(cx + radius * torch::cos(t));
    x.select(1, 1).copy_(cy + radius * torch::sin(t));
    return x;
  };
  auto on_a = circle(-0.558, 1.442), on_b = circle(0.623, 0.028);
  EXPECT_LT(mb.lift(on_a).abs().max().item<double>(), 1e-12);
  EXPECT_LT((mb.lift(on_b) - 1).abs().max().item<double>(), 1e-12);
  EXPECT_LT(mb.distance(on_a).abs().max().item<double>(), 1e-12);
  EXPECT_LT(mb.distance(on_b).abs().max().item<double>(), 1e-12);
  auto x = torch::rand({2000, 3}, kF64) * torch::tensor({2.7, 2.4, 1.0}, kF64) -
           torch::tensor({1.5, 0.4, 0.5}, kF64);
  x = x.index_select(0, (~(mb.in_a(x) | mb.in_b(x))).nonzero().squeeze(1));
  EXPECT_GT(mb.distance(x).min().item<double>(), 0.0);
  EXPECT_GT(mb.lift(x).min().item<double>(), 0.0);
  EXPECT_LT(mb.lift(x).max().item<double>(), 1.0);

  const double s = 0.5;
  auto gl = ginzburg_landau_problem(10, 0.03, 10.0, GibbsSampling(), kF64, s, 0.1);
  auto u = torch::randn({100, 10}, kF64);
  auto at_level = [&](double m) { return u - u.mean(1, true) + m; };
  EXPECT_LT(gl.lift(at_level(-s)).abs().max().item<double>(), 1e-12);
  EXPECT_LT((gl.lift(at_level(s)) - 1).abs().max().item<double>(), 1e-12);
  EXPECT_LT(gl.distance(at_level(-s)).abs().max().item<double>(), 1e-12);
  EXPECT_LT(gl.distance(at_level(s)).abs().max().item<double>(), 1e-12);
  EXPECT_NEAR(gl.lift(at_level(0.1)).mean().item<double>(), 0.6, 1e-12);
  EXPECT_GT(gl.distance(at_level(0.3)).min().item<double>(), 0.0);
}

TEST(Committor, MullerBrownNetworkReachesTheMinimumOfTheGridReference) {
  // The built-in boundary conditions let the network reach the variational minimum: its
  // Dirichlet energy estimate comes within a stated 25 % of the finite-volume minimum (measured:
  // 0.90 of it; the estimate on 10 batches of correlated MALA samples is noisy) and its
  // Gibbs-weighted error against that reference stays below 2e-3 (measured 1.1e-3). The same run
  // with the penalty instead ends at 6.3 times the minimum, rms 5.8e-3.
  torch::manual_seed(6);
  auto p = muller_brown_problem(
      2, 0.1, GibbsSampling().sample_beta(0.05).mala(GibbsSampling().mala().step(1e-4)), kF64);
  auto r = solve_committor(p, CommittorOptions()
                                  .hidden({32, 32})
                                  .iterations(1000)
                                  .batch_size(500)
                                  .lr(5e-3)
                                  .lr_final(1e-4)
                                  .seed(6));
  auto ref = grid_committor_2d(p, -1.5, 1.2, -0.4, 2.0, 121, 121);
  EXPECT_GT(ref.dirichlet_energy, 0.0);
  EXPECT_NEAR(r.dirichlet_energy / ref.dirichlet_energy, 1.0, 0.25)
      << "network " << r.dirichlet_energy << " grid minimum " << ref.dirichlet_energy;
  std::vector<torch::Tensor> xs, ws;
  for (int k = 0; k < 10; ++k) {
    auto smp = p.sampler(500);
    xs.push_back(smp.x);
    ws.push_back(smp.log_w);
  }
  auto x = torch::cat(xs);
  auto w = torch::softmax(torch::cat(ws), 0) * (~(p.in_a(x) | p.in_b(x))).to(torch::kDouble);
  const double rms =
      std::sqrt(((w * (r.q(x) - ref.interpolate(x)).pow(2)).sum() / w.sum()).item<double>());
  EXPECT_LT(rms, 2e-3) << "Gibbs-weighted rms error vs the grid " << rms;
}

TEST(Committor, RejectsIncompleteProblemsAndBadOptions) {
  CommittorProblem empty;
  EXPECT_THROW(solve_committor(empty, CommittorOptions()), std::invalid_argument);
  auto p = double_well_problem(1.0, kF64);
  EXPECT_THROW(solve_committor(p, CommittorOptions().iterations(0)), std::invalid_argument);
  EXPECT_THROW(concentric_spheres_problem(3, 2, 1, kF64), std::invalid_argument);
}

}  // namespace
}  // namespace enflow::variational
