#include "enflow/particles/toy_data.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace enflow::particles {
namespace {

/// log of an equal-weight mixture of N(cₖ, σ² I) in 2-D at x [N, 2], in blocks of rows.
torch::Tensor equal_mixture_log_prob(const torch::Tensor& x, const torch::Tensor& centres,
                                     double sigma) {
  const double k = static_cast<double>(centres.size(0));
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < x.size(0); i += 4096) {
    auto d2 = torch::cdist(x.narrow(0, i, std::min<int64_t>(4096, x.size(0) - i)), centres).pow(2);
    parts.push_back(torch::logsumexp(-0.5 * d2 / (sigma * sigma), 1));
  }
  return torch::cat(parts) - std::log(k) - std::log(2 * M_PI * sigma * sigma);
}

ToyDensity two_moons(const torch::TensorOptions& o) {
  const double sigma = 0.2;  // make_moons' noise 0.1, scaled by 2
  auto arcs = [o](const torch::Tensor& s, const torch::Tensor& upper) {
    // upper: 1 for the first moon, 0 for the second; both scaled by 2 and shifted.
    auto c = torch::cos(s), sn = torch::sin(s);
    auto x = torch::where(upper, c, 1 - c), y = torch::where(upper, sn, 0.5 - sn);
    return torch::stack({2 * x - 1, 2 * y - 0.2}, 1);
  };
  const int64_t q = 400;  // nodes 0.016 apart along arcs 2π long: σ/12, far below the noise
  auto nodes = (torch::arange(q, o) + 0.5) * (M_PI / q);
  auto centres = torch::cat({arcs(nodes, torch::ones({q}, o.dtype(torch::kBool))),
                             arcs(nodes, torch::zeros({q}, o.dtype(torch::kBool)))});
  ToyDensity t;
  t.name = "two_moons";
  t.sample = [arcs, o, sigma](int64_t n) {
    auto s = torch::rand({n}, o) * M_PI;
    auto upper = torch::rand({n}, o) < 0.5;
    return arcs(s, upper) + sigma * torch::randn({n, 2}, o);
  };
  t.log_prob = [centres, sigma](const at::Tensor& x) {
    return equal_mixture_log_prob(x, centres, sigma);
  };
  t.entropy_closed_form = std::numeric_limits<double>::quiet_NaN();
  t.box = 4;
  return t;
}

ToyDensity eight_gaussians(const torch::TensorOptions& o) {
  const double sigma = 0.5 / 1.414;
  auto k = torch::arange(8, o) * (M_PI / 4);
  auto centres = torch::stack({torch::cos(k), torch::sin(k)}, 1) * (4 / 1.414);
  ToyDensity t;
  t.name = "eight_gaussians";
  t.sample = [centres, sigma, o](int64_t n) {
    auto idx = torch::randint(8, {n}, o.dtype(torch::kLong));
    return centres.index_select(0, idx) + sigma * torch::randn({n, 2}, o);
  };
  t.log_prob = [centres, sigma](const at::Tensor& x) {
    return equal_mixture_log_prob(x, centres, sigma);
  };
  t.entropy_closed_form = std::log(8.0) + 1 + std::log(2 * M_PI * sigma * sigma);
  t.box = 4;
  return t;
}

ToyDensity checkerboard(const torch::TensorOptions& o) {
  ToyDensity t;
  t.name = "checkerboard";
  t.sample = [o](int64_t n) {
    auto x1 = torch::rand({n}, o) * 4 - 2;
    auto x2 = torch::rand({n}, o) - torch::randint(2, {n}, o) * 2 + torch::fmod(x1.floor() + 2, 2);
    return torch::stack({x1, x2}, 1) * 2;
  };
  t.log_prob = [](const at::Tensor& x) {
    auto u = x / 2;
    auto u1 = u.select(1, 0);
    auto v = u.select(1, 1) - torch::fmod(u1.floor() + 2, 2);  // column shift 0 or 1
    auto inside = (u1 >= -2) & (u1 < 2) & (((v >= 0) & (v < 1)) | ((v >= -2) & (v < -1)));
    return torch::where(inside, torch::full_like(u1, -std::log(32.0)),
                        torch::full_like(u1, -std::numeric_limits<double>::infinity()));
  };
  t.entropy_closed_form = std::log(32.0);
  t.box = 4;
  return t;
}

}  // namespace

const std::vector<std::string>& toy_density_names() {
  static const std::vector<std::string> names{"two_moons", "eight_gaussians", "checkerboard"};
  return names;
}

ToyDensity toy_density(const std::string& name, const at::TensorOptions& options) {
  if (name == "two_moons") return two_moons(options);
  if (name == "eight_gaussians") return eight_gaussians(options);
  if (name == "checkerboard") return checkerboard(options);
  throw std::invalid_argument("unknown toy density '" + name +
                              "' (known: two_moons, eight_gaussians, checkerboard)");
}

std::pair<double, double> entropy_estimate(const ToyDensity& density, int64_t n) {
  if (n < 2) throw std::invalid_argument("entropy estimate: needs n >= 2");
  torch::NoGradGuard ng;
  std::vector<torch::Tensor> parts;
  for (int64_t done = 0; done < n; done += 8192) {
    parts.push_back(-density.log_prob(density.sample(std::min<int64_t>(8192, n - done))));
  }
  auto nll = torch::cat(parts);
  return {nll.mean().item<double>(), nll.std().item<double>() / std::sqrt(static_cast<double>(n))};
}

}  // namespace enflow::particles
