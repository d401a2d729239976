#include "enflow/learn/ggd_plots.h"

#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "enflow/io/plot.h"
#include "enflow/learn/ggd_compare.h"
#include "enflow/systems/gradient_system.h"

namespace enflow::learn {
namespace {

constexpr int kGrid = 61;  // points per axis of curves and maps

std::vector<double> values(const at::Tensor& t) {
  auto c = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

// The model's entropy, and dissipation at states x and conjugates z: in the system's gauge
// when a system is known, as learned otherwise.
struct Potentials {
  models::GgdModelImpl& model;
  const systems::GeneralizedGradientSystem* sys;
  learn::GgdGauge gauge;
  at::Tensor S(const at::Tensor& x) const {
    return sys ? learn::gauged_entropy(model, gauge, x)
               : model.entropy(x.to(dtype())).to(torch::kFloat64).detach();
  }
  at::Tensor Xi(const at::Tensor& x, const at::Tensor& z) const {
    return sys ? learn::gauged_dissipation(model, *sys, gauge, x, z)
               : model.dissipation(x.to(dtype()), z.to(dtype())).to(torch::kFloat64);
  }
  c10::ScalarType dtype() const {
    auto p = model.parameters();
    return p.empty() ? torch::kFloat64 : p.front().scalar_type();
  }
};

// Heatmap of f over a box, f taking a batch of points [N, 2].
io::Heatmap box_map(double x0, double x1, double y0, double y1,
                    const std::function<at::Tensor(const at::Tensor&)>& f) {
  auto xs = torch::linspace(x0, x1, kGrid, torch::kFloat64);
  auto ys = torch::linspace(y0, y1, kGrid, torch::kFloat64);
  auto grid = torch::stack(torch::meshgrid({ys, xs}, "ij"), -1).reshape({-1, 2}).flip({1});
  auto v = values(f(grid));
  io::Heatmap h;
  h.x0 = x0;
  h.x1 = x1;
  h.y0 = y0;
  h.y1 = y1;
  for (int r = 0; r < kGrid; ++r)
    h.values.emplace_back(v.begin() + r * kGrid, v.begin() + (r + 1) * kGrid);
  return h;
}

std::vector<double> levels_of(const io::Heatmap& a, const io::Heatmap& b, int n) {
  double lo = INFINITY, hi = -INFINITY;
  for (const auto* h : {&a, &b}) {
    for (const auto& row : h->values) {
      for (double v : row) {
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
      }
    }
  }
  std::vector<double> l;
  for (int i = 1; i < n; ++i) l.push_back(lo + (hi - lo) * i / n);
  return l;
}

// States along a path through x_ref: x_ref + s·v for s in [s0, s1].
at::Tensor path(const at::Tensor& x_ref, const at::Tensor& v, double s0, double s1) {
  auto s = torch::linspace(s0, s1, kGrid, torch::kFloat64).unsqueeze(1);
  return x_ref.unsqueeze(0) + s * v.unsqueeze(0);
}

}  // namespace

std::vector<std::string> plot_ggd(models::GgdModelImpl& model, const systems::System* system,
                                  const at::Tensor& prediction, const at::Tensor& truth,
                                  const std::vector<double>& t, const std::vector<int64_t>& series,
                                  const std::string& stem) {
  std::vector<std::string> out;
  const int64_t S = truth.size(0), T = truth.size(1), D = truth.size(2);
  auto states = truth.reshape({S * T, D}).to(torch::kFloat64);
  const auto* sys = dynamic_cast<const systems::GeneralizedGradientSystem*>(system);
  Potentials P{model, sys, {}};
  if (sys) P.gauge = learn::fit_gauge(model, *sys, states, /*affine=*/true);
  if (sys && !P.gauge.valid) sys = P.sys = nullptr;  // no consistent gauge: learned only
  const std::string gauge_note =
      sys ? fmt::format(" (learned in the true gauge: alpha {:.3g})", P.gauge.alpha) : "";

  // Predicted trajectories (small states; grids have space-time pictures already).
  if (D <= 8) {
    std::vector<io::Series> s;
    for (int64_t i = 0; i < D; ++i) {
      s.push_back({fmt::format("x{} predicted", i + 1), t, values(prediction[0].select(1, i))});
      s.push_back({fmt::format("x{} true", i + 1), t, values(truth[0].select(1, i))});
    }
    const std::string p = stem + "_trajectory.png";
    io::plot_lines(
        p, {fmt::format("predicted vs true trajectory, series {}", series[0]), "t", "x", false}, s);
    out.push_back(p);
  }
  {  // The learned entropy along the prediction never decreases.
    std::vector<io::Series> s;
    for (int64_t k = 0; k < std::min<int64_t>(3, prediction.size(0)); ++k) {
      s.push_back({fmt::format("series {}", series[k]), t,
                   values(model.entropy(prediction[k].to(P.dtype())))});
    }
    const std::string p = stem + "_learned_entropy.png";
    io::plot_lines(p, {"learned entropy S along the prediction", "t", "S", false}, s);
    out.push_back(p);
  }

  // Ranges from the data: states, and conjugates along the data.
  auto lo = std::get<0>(states.min(0)), hi = std::get<0>(states.max(0));
  auto pad = 0.05 * (hi - lo) + 1e-3;
  lo = lo - pad;
  hi = hi + pad;
  auto xs_data =
      sys ? sys->conjugate(states) : model.conjugate(states.to(P.dtype())).to(torch::kFloat64);
  const double zmax = std::max(1e-3, xs_data.abs().max().item<double>());
  auto x_ref = states.mean(0);
  auto Xi_true = [&](const at::Tensor& x, const at::Tensor& z) { return sys->dissipation(x, z); };
  auto S_true = [&](const at::Tensor& x) {
    return ad::energy([&](const ad::Var& v) { return sys->entropy(v); }, x).detach();
  };

  if (D == 2) {
    const double a0 = lo[0].item<double>(), a1 = hi[0].item<double>();
    const double b0 = lo[1].item<double>(), b1 = hi[1].item<double>();
    auto Sl = box_map(a0, a1, b0, b1, [&](const at::Tensor& x) { return P.S(x); });
    auto X = [&](const at::Tensor& z) { return x_ref.unsqueeze(0).expand({z.size(0), 2}); };
    auto Xl = box_map(-zmax, zmax, -zmax, zmax, [&](const at::Tensor& z) { return P.Xi(X(z), z); });
    std::vector<io::Panel2d> panels;
    if (sys) {
      auto St = box_map(a0, a1, b0, b1, S_true);
      auto Xt =
          box_map(-zmax, zmax, -zmax, zmax, [&](const at::Tensor& z) { return Xi_true(X(z), z); });
      auto sl = levels_of(St, Sl, 12), xl = levels_of(Xt, Xl, 12);
      panels.push_back({"entropy S(x): true (black), learned (red, dashed)",
                        {},
                        "",
                        {{"", St, sl, "black", false}, {"", Sl, sl, "red", true}},
                        {},
                        true});
      panels.push_back({"dissipation Xi(x_mean, x*): true (black), learned (red, dashed)",
                        {},
                        "",
                        {{"", Xt, xl, "black", false}, {"", Xl, xl, "red", true}},
                        {},
                        true});
    } else {
      panels.push_back({"learned entropy S(x)", Sl, "S", {}, {}, true});
      panels.push_back({"learned dissipation Xi(x_mean, x*)", Xl, "Xi", {}, {}, true});
    }
    const std::string p = stem + "_potentials.png";
    io::plot_panels(p, {"learned potentials" + gauge_note, "x1 (x1* on the right)", "x2 (x2*)"},
                    panels, 2);
    out.push_back(p);
    return out;
  }

  // Curves: along each coordinate through x_ref (D ≤ 8), or along the first Fourier mode
  // cos(2πj/D) of a grid state (D > 8).
  std::vector<std::pair<std::string, at::Tensor>> dirs;
  if (D <= 8) {
    for (int64_t i = 0; i < D; ++i)
      dirs.push_back({fmt::format("x{}", i + 1), torch::eye(D, torch::kFloat64)[i]});
  } else {
    dirs.push_back({"cos mode", torch::cos(2 * M_PI * torch::arange(D, torch::kFloat64) / D)});
  }
  std::vector<io::Series> sS, sX;
  const bool positive = (states > 0).all().item<bool>();
  for (const auto& [name, v] : dirs) {
    // Entropy: x_ref + s v within the data box (for coordinates) or ±half the spread.
    const double s0 =
        D <= 8 ? (lo - x_ref).dot(v).item<double>() : -0.5 * (hi - lo).max().item<double>();
    const double s1 =
        D <= 8 ? (hi - x_ref).dot(v).item<double>() : 0.5 * (hi - lo).max().item<double>();
    auto xp = path(x_ref, v, s0, s1);
    if (positive) {  // stay inside the domain of a log entropy
      xp = xp.index_select(0, torch::nonzero((xp > 0).all(1)).squeeze(1));
      if (xp.size(0) < 2) continue;
    }
    auto sv = values((xp - x_ref.unsqueeze(0)).matmul(v) / v.dot(v));
    sS.push_back({"learned, " + name, sv, values(P.S(xp))});
    if (sys) sS.push_back({"true, " + name, sv, values(S_true(xp))});
    // Dissipation at x_ref along z = s v.
    auto zp = path(torch::zeros_like(x_ref), v, -zmax, zmax);
    auto xr = x_ref.unsqueeze(0).expand({zp.size(0), D});
    auto zv = values(torch::linspace(-zmax, zmax, kGrid, torch::kFloat64));
    sX.push_back({"learned, " + name + "*", zv, values(P.Xi(xr, zp))});
    if (sys) sX.push_back({"true, " + name + "*", zv, values(Xi_true(xr, zp))});
  }
  if (!sS.empty()) {
    const std::string p = stem + "_entropy.png";
    io::plot_lines(p, {"entropy along lines through the mean state" + gauge_note, "s", "S", false},
                   sS);
    out.push_back(p);
  }
  const std::string p = stem + "_dissipation.png";
  io::plot_lines(p, {"dissipation Xi(x_mean, s e)" + gauge_note, "s", "Xi", false}, sX);
  out.push_back(p);
  return out;
}

}  // namespace enflow::learn
