// EVNN gradient-flow solvers: the discrete energy never increases (every solver, every step,
// including when the optimizer is made to fail), the heat equation and Fokker–Planck match
// their exact solutions, the porous medium conserves mass exactly and stays near Barenblatt.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "enflow/flows/evnn.h"
#include "enflow/flows/lagrangian.h"
#include "enflow/flows/networks.h"
#include "enflow/flows/quadrature.h"
#include "enflow/io/config.h"
#include "enflow/io/key_reader.h"

namespace enflow::flows {
namespace {

// These small networks run fastest on one thread (and far faster on a loaded machine).
struct OneThread {
  OneThread() : saved(torch::get_num_threads()) { torch::set_num_threads(1); }
  ~OneThread() { torch::set_num_threads(saved); }
  int saved;
};

EvnnResult run(const std::string& toml) {
  OneThread one;
  auto r = run_evnn(io::Config::parse(toml));
  std::string m;
  for (const auto& kv : r.metrics) m += " " + kv.first + "=" + std::to_string(kv.second);
  std::printf("  %s: %zu steps, %.3f s, rejected %lld, energy %.8g -> %.8g;%s\n", r.kind.c_str(),
              r.step_seconds.size(), r.wall_seconds, static_cast<long long>(r.rejected),
              r.energy.front(), r.energy.back(), m.c_str());
  return r;
}

void expect_energy_law(const EvnnResult& r) {
  ASSERT_EQ(r.energy.size(), r.step_seconds.size() + 1);
  for (size_t k = 0; k + 1 < r.energy.size(); ++k)
    EXPECT_LE(r.energy[k + 1], r.energy[k]) << r.kind << " step " << k + 1;
  EXPECT_EQ(r.energy_increases, 0);
}

TEST(EvnnQuadrature, GaussLegendreIsExactForPolynomials) {
  const auto gl = gauss_legendre(6);
  for (int p = 0; p <= 11; ++p) {
    double s = 0;
    for (size_t i = 0; i < gl.first.size(); ++i) s += gl.second[i] * std::pow(gl.first[i], p);
    EXPECT_NEAR(s, p % 2 ? 0.0 : 2.0 / (p + 1), 1e-14) << "x^" << p;
  }
  auto o = torch::TensorOptions().dtype(torch::kFloat64);
  auto disk = disk_gauss(2.0, 8, 16, o);
  EXPECT_NEAR((disk.weights * disk.points.pow(2).sum(1)).sum().item<double>(), 8 * M_PI, 1e-12);
  auto box = box_gauss({0, -1}, {1, 2}, 5, o);
  EXPECT_NEAR(
      (box.weights * box.points.select(1, 0) * box.points.select(1, 1).pow(2)).sum().item<double>(),
      0.5 * 3.0, 1e-13);
}

TEST(EvnnQuadrature, HaltonIsUniformSeededAndBetterThanMonteCarlo) {
  auto o = torch::TensorOptions().dtype(torch::kFloat64);
  auto a = halton(4096, 8, 1, o), b = halton(4096, 8, 1, o), c = halton(4096, 8, 2, o);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, c));
  EXPECT_GE(a.min().item<double>(), 0.0);
  EXPECT_LT(a.max().item<double>(), 1.0);
  // ∫ Π sin(π x_i/2)·π/2 … = 1 on [0,1]^8 with f = Π (π/2) sin(π x_i / 2).
  auto f = [](const torch::Tensor& x) { return (M_PI / 2 * torch::sin(M_PI / 2 * x)).prod(1); };
  const double qmc = std::abs(f(a).mean().item<double>() - 1);
  const double mc = std::abs(f(unit_cube_samples(4096, 8, "mc", 1, o)).mean().item<double>() - 1);
  EXPECT_LT(qmc, 0.01);
  EXPECT_LT(qmc, mc);
  auto bd = box_boundary_samples({0, 0, 0}, {1, 1, 1}, 600, "halton", 3, o);
  auto dist = std::get<0>(torch::minimum(bd.points, 1 - bd.points).min(1));
  EXPECT_LT(dist.abs().max().item<double>(), 1e-15);
  EXPECT_NEAR(bd.weights.sum().item<double>(), 6.0, 1e-12);
}

// Fokker–Planck from N(1, 0.25 I), 6 steps of τ = 0.05: minimizing movement alone (implicit
// Euler on the variance, s ← (s + 2τ)/(1 + 2τ)) is 2–3 % off the exact variance at t = 0.3 and
// 0.7 % off the mean; the map may add little on top.
void expect_gaussian_moments(const EvnnResult& r) {
  expect_energy_law(r);
  EXPECT_EQ(r.rejected, 0);
  EXPECT_LT(r.metric("mean_error", 1), 0.015);
  EXPECT_LT(r.metric("cov_rel_error", 1), 0.04);
}

TEST(EvnnMaps, StartAtIdentityAndHaveExactJacobians) {
  torch::manual_seed(0);
  auto x = torch::randn({7, 3}, torch::kFloat64);
  for (std::string kind : {"icnn", "planar"}) {
    auto map = make_flow_map(FlowMapOptions(3).kind(kind).width(8).depth(2));
    auto yl = map_and_logdet(*map, x);
    EXPECT_LT((yl.first - x).abs().max().item<double>(), 0.05) << kind;
    // Perturb the parameters, then compare log det with finite differences of Φ.
    {
      torch::NoGradGuard ng;
      for (auto& p : map->parameters()) p.add_(0.3 * torch::randn_like(p));
    }
    auto J = map_jacobian(*map, x).detach();
    const double h = 1e-6;
    for (int64_t j = 0; j < 3; ++j) {
      auto e = torch::zeros({1, 3}, torch::kFloat64);
      e[0][j] = h;
      auto fd = (map->forward(x + e) - map->forward(x - e)).detach() / (2 * h);
      EXPECT_LT((fd - J.select(2, j)).abs().max().item<double>(), 1e-7) << kind;
    }
    if (kind == "icnn") {
      EXPECT_LT((J - J.transpose(1, 2)).abs().max().item<double>(), 1e-12);
      EXPECT_GT(torch::linalg_eigvalsh(J, "L").min().item<double>(), 1e-3 - 1e-12);
      // The closed-form Hessian equals d reverse passes of autograd through Φ, and so do its
      // parameter gradients (what the optimizer sees).
      auto Ja = map->FlowMapImpl::jacobian(x);
      EXPECT_LT((Ja - map->jacobian(x)).abs().max().item<double>(), 1e-12);
      // (∇Φ does not depend on the shift c: allow unused parameters.)
      auto ga = torch::autograd::grad({Ja.pow(2).sum()}, map->parameters(), {}, true, false, true);
      auto gc = torch::autograd::grad({map->jacobian(x).pow(2).sum()}, map->parameters(), {}, true,
                                      false, true);
      for (size_t i = 0; i < ga.size(); ++i) {
        ASSERT_EQ(ga[i].defined(), gc[i].defined());
        if (ga[i].defined()) {
          EXPECT_LT((ga[i] - gc[i]).abs().max().item<double>(),
                    1e-10 * (1 + ga[i].abs().max().item<double>()));
        }
      }
    }
    auto ld = map_and_logdet(*map, x).second.detach();
    EXPECT_LT((ld - torch::logdet(J)).abs().max().item<double>(), 1e-12);
  }
}

// Heat equation u_t = Δu on [0,1]², u⁰ = sin πx sin πy, zero Dirichlet by construction.
// Exact u = e^{−2π²t} u⁰. 8 steps of τ = 1e-3: the time error of minimizing movement
// (implicit Euler) is 0.15 %, so 1e-2 leaves room for the 12-wide network only.
TEST(EvnnEulerian, HeatEquationMatchesExactSolution) {
  auto r = run(R"(
    problem.kind = "evnn_heat"
    net = { width = 12 }
    quadrature = { kind = "gauss", n = 12 }
    time = { tau = 1e-3, steps = 8 }
    optimizer = { max_iter = 40, fit_iter = 400 }
    output.error_every = 4
  )");
  expect_energy_law(r);
  EXPECT_EQ(r.rejected, 0);
  EXPECT_LT(r.metric("initial_fit_rel_l2", 1), 5e-3);
  ASSERT_EQ(r.error.size(), 3u);
  EXPECT_LT(r.error.back(), 1e-2);
  // The energy decays like e^{−4π²t}: check the rate over the run within 5 %.
  const double rate = std::log(r.energy.front() / r.energy.back()) / r.t.back();
  EXPECT_NEAR(rate / (4 * M_PI * M_PI), 1.0, 0.05);
}

TEST(EvnnEulerian, PoissonSquareAndDiskEnergyDecreasesToTheMinimizer) {
  auto sq = run(R"(
    problem.kind = "evnn_poisson_square"
    net = { width = 16 }
    quadrature.n = 12
    time = { tau = 1.0, steps = 3 }
    optimizer.max_iter = 60
  )");
  expect_energy_law(sq);
  EXPECT_LT(sq.error.back(), 1e-2);
  auto disk = run(R"(
    problem = { kind = "evnn_poisson_disk", bc = "penalty", penalty = 1000.0 }
    net = { width = 16, arch = "resnet", depth = 1 }
    quadrature = { n = 12, boundary_n = 64 }
    time = { tau = 1.0, steps = 3 }
    optimizer.max_iter = 80
  )");
  expect_energy_law(disk);
  // The penalty (β = 1000) leaves an O(1/β)-size boundary misfit: a looser bound.
  EXPECT_LT(disk.error.back(), 5e-2);
}

TEST(EvnnEulerian, AllenCahnAndHighDimensionalPoissonKeepTheEnergyLaw) {
  auto ac = run(R"(
    problem = { kind = "evnn_allen_cahn", volume_constraint = true }
    net = { width = 16 }
    quadrature.n = 20
    time = { tau = 2e-3, steps = 3 }
    optimizer = { max_iter = 30, fit_iter = 150 }
  )");
  expect_energy_law(ac);
  EXPECT_NEAR(ac.metric("volume_final"), ac.metric("volume_initial"), 1e-10);
  auto hd = run(R"(
    problem = { kind = "evnn_poisson_highdim", dim = 4 }
    net = { width = 16 }
    quadrature = { kind = "halton", n = 512, boundary_n = 256, eval_n = 1024 }
    time = { tau = 1.0, steps = 3 }
    optimizer.max_iter = 40
  )");
  expect_energy_law(hd);
  EXPECT_LT(hd.error.back(), hd.error.front());
}

// A deliberately bad optimizer (Adam, learning rate 10): steps that would raise the energy
// are rejected and reported, and the recorded energy still never increases.
TEST(EvnnEulerian, RejectsStepsThatWouldIncreaseTheEnergy) {
  auto r = run(R"(
    problem.kind = "evnn_heat"
    problem.dim = 1
    net = { width = 8 }
    quadrature.n = 32
    time = { tau = 1e-3, steps = 3 }
    optimizer = { kind = "adam", lr = 10.0, max_iter = 5, fit_iter = 200 }
  )");
  expect_energy_law(r);
  EXPECT_GE(r.rejected, 1);
  auto ok = run(R"(
    problem.kind = "evnn_heat"
    problem.dim = 1
    net = { width = 8 }
    quadrature.n = 32
    time = { tau = 1e-3, steps = 3 }
    optimizer = { kind = "adam", lr = 1e-3, max_iter = 50, fit_iter = 200 }
  )");
  expect_energy_law(ok);
}

// Fokker–Planck with V = |x|²/2 in 2-D from N((1,1), 0.25 I): exact N(e^{−t}(1,1),
// (1 − 0.75 e^{−2t}) I). Six JKO-type steps of τ = 0.05: the scheme's own time error on the
// mean is (1+τ)^{−6} vs e^{−0.3}, 0.7 %.
TEST(EvnnLagrangian, FokkerPlanckMeanAndCovarianceMatchTheGaussian) {
  auto r = run(R"(
    problem = { kind = "evnn_fokker_planck", dim = 2 }
    particles = { init = "grid", n = 20 }
    map = { width = 8, depth = 2 }
    time = { tau = 0.05, steps = 6 }
    optimizer.max_iter = 60
  )");
  expect_gaussian_moments(r);
  EXPECT_LT(r.metric("final_rel_l2", 1), 0.05);
  EXPECT_LT(r.metric("final_sym_kl", 1), 5e-3);
  // The planar-flow map (after a positive diagonal affine map) obeys the same energy law.
  auto planar = run(R"(
    problem = { kind = "evnn_fokker_planck", dim = 2 }
    particles = { init = "halton", n = 300 }
    map = { kind = "planar", depth = 4 }
    time = { tau = 0.05, steps = 4 }
    optimizer.max_iter = 40
  )");
  expect_energy_law(planar);
  EXPECT_LT(planar.metric("mean_error", 1), 0.02);
  EXPECT_LT(planar.metric("cov_rel_error", 1), 0.05);
}

// An ICNN of depth 0 leaves ψ quadratic: Φ is affine, one Jacobian for every point. With
// moment-matched particles and the Jacobian penalty (zero on affine maps) the density stays
// exactly Gaussian, so only the time error of minimizing movement remains.
TEST(EvnnLagrangian, AffineMapKeepsTheDensityGaussian) {
  auto map = make_flow_map(FlowMapOptions(3).depth(0));
  {
    torch::NoGradGuard ng;
    for (auto& p : map->parameters()) p.add_(0.3 * torch::randn_like(p));
  }
  auto x = torch::randn({5, 3}, torch::kFloat64);
  auto J = map_jacobian(*map, x).detach();
  EXPECT_LT((J - J[0]).abs().max().item<double>(), 1e-15);
  EXPECT_LT((map->FlowMapImpl::jacobian(x) - J).abs().max().item<double>(), 1e-12);
  EXPECT_LT((map_and_logdet(*map, x).second - torch::logdet(J)).abs().max().item<double>(), 1e-12);
  auto r = run(R"(
    problem = { kind = "evnn_fokker_planck", dim = 4 }
    particles = { init = "halton", n = 300, match_moments = true }
    map = { depth = 0, jacobian_penalty = 1.0 }
    time = { tau = 0.05, steps = 6 }
    optimizer.max_iter = 40
    output.eval_n = 2000
  )");
  expect_gaussian_moments(r);
  // Implicit Euler alone leaves the variance ~3.3 % low at t = 0.3, i.e. a sym. KL of about
  // d·δ²/2 = 2.2e-3 in 4-D; an affine map adds no spatial error on top of that, and fits no
  // particle noise: the tracers' KL equals the particles' within the estimator's error.
  EXPECT_LT(r.metric("final_sym_kl", 1), 3e-3);
  EXPECT_NEAR(r.metric("final_sym_kl", 1), r.metric("final_sym_kl_particles", 0),
              5 * r.metric("final_sym_kl_std_error", 1));
  EXPECT_THROW(run("problem.kind = \"evnn_fokker_planck\"\nmap.jacobian_penalty = -1.0\n"),
               std::invalid_argument);
}

// Tracers started on the particles themselves are moved by exactly the same accepted maps, so
// they stay on the particles; the particle masses never change.
TEST(EvnnLagrangian, TracersFollowTheAcceptedMaps) {
  OneThread one;
  torch::manual_seed(2);
  auto o = torch::TensorOptions().dtype(torch::kFloat64);
  auto x = 1.0 + 0.5 * normal_samples(200, 2, "halton", 4, o);
  auto log_rho = -2 * (x - 1).pow(2).sum(1) - std::log(2 * M_PI * 0.25);
  auto m = torch::full({200}, 1.0 / 200, o);
  LagrangianEnergy energy;
  energy.internal = [](const torch::Tensor&, const torch::Tensor& lr) { return lr; };
  energy.potential = [](const torch::Tensor& y) { return 0.5 * y.pow(2).sum(1); };
  LagrangianSolver solver(
      make_flow_map(FlowMapOptions(2).width(8)), energy, x, m, log_rho,
      LagrangianOptions().tau(0.05).optimizer(nn::OptimizerOptions().max_iter(30)));
  solver.set_tracers(x, log_rho);
  double e = solver.energy();
  for (int i = 0; i < 3; ++i) {
    const auto r = solver.step();
    EXPECT_TRUE(r.accepted);
    EXPECT_LE(r.energy_after, e);
    e = r.energy_after;
  }
  EXPECT_GT((solver.positions() - x).abs().max().item<double>(), 1e-2);  // they did move
  EXPECT_LT((solver.tracer_positions() - solver.positions()).abs().max().item<double>(), 1e-12);
  EXPECT_LT((solver.tracer_log_density() - solver.log_density()).abs().max().item<double>(), 1e-12);
  EXPECT_TRUE(torch::equal(solver.masses(), m));
  EXPECT_THROW(solver.set_tracers(x.narrow(1, 0, 1), log_rho), std::invalid_argument);
}

// Porous medium u_t = Δ(u²) in 1-D from the Barenblatt profile at t₀ = 0.1.
TEST(EvnnLagrangian, PorousMediumConservesMassAndFollowsBarenblatt) {
  for (const char* m : {"2.0", "4.0"}) {
    auto r = run(std::string(R"(
      problem = { kind = "evnn_porous_medium", dim = 1, t0 = 0.1, m = )") +
                 m + R"( }
      particles = { init = "grid", n = 200 }
      map = { width = 16, depth = 2 }
      time = { tau = 0.01, steps = 5 }
      optimizer.max_iter = 60
    )");
    expect_energy_law(r);
    // Constant particle masses: the total is bitwise unchanged, and the initial particles
    // carry the Barenblatt mass 1 to quadrature accuracy.
    EXPECT_EQ(r.metric("mass_final"), r.metric("mass_initial"));
    EXPECT_NEAR(r.metric("mass_initial"), 1.0, 2e-3);
    // The moved particles and their densities (ρ_i / det ∇Φ) still carry that mass: the
    // trapezoid rule over the final positions integrates the particle density to Σ m_i.
    const Snapshot* last = nullptr;
    for (const auto& sn : r.snapshots)
      if (sn.label.rfind("EVNN", 0) == 0) last = &sn;
    ASSERT_NE(last, nullptr);
    double integral = 0;
    for (size_t i = 0; i + 1 < last->x.size(); ++i)
      integral += 0.5 * (last->y[i] + last->y[i + 1]) * (last->x[i + 1] - last->x[i]);
    EXPECT_NEAR(integral, r.metric("mass_final"), 5e-3) << "m = " << m;
    EXPECT_LT(r.metric("final_rel_l2", 1), 0.05) << "m = " << m;
  }
}

TEST(EvnnConfig, ShippedConfigsAreRunnableAndCarryTheirReproductionRow) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(ENFLOW_SOURCE_DIR "/configs/evnn")) {
    if (e.path().extension() != ".toml") continue;
    const auto file = io::Config::load(e.path().string());
    // `enflow reproduce evnn` reads its row from [reproduce]; the solver gets the rest.
    EXPECT_FALSE(file.require_string("reproduce.setting").empty()) << e.path();
    EXPECT_FALSE(file.require_string("reproduce.anchor").empty()) << e.path();
    const auto c = file.without("reproduce");
    EXPECT_NO_THROW(io::KeyReader(c, evnn_key_specs())) << e.path();
    EXPECT_TRUE(EvnnProblemRegistry::instance().contains(c.require_string("problem.kind")))
        << e.path();
    ++n;
  }
  EXPECT_EQ(n, 17);
}

TEST(EvnnConfig, RejectsUnknownKeysAndKinds) {
  EXPECT_THROW(run("problem.kind = \"evnn_heat\"\ntime.tua = 1.0\n"), std::runtime_error);
  EXPECT_THROW(run("problem.kind = \"evnn_nope\"\n"), std::invalid_argument);
  EXPECT_THROW(run("problem.kind = \"evnn_heat\"\ntime.tau = -1.0\n"), std::invalid_argument);
  EXPECT_THROW(run("problem.kind = \"evnn_heat\"\nnet.arch = \"cnn\"\n"), std::invalid_argument);
}

}  // namespace
}  // namespace enflow::flows
