#include "enflow/variational/shooting.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <stdexcept>

#include "variational/gradient.h"

namespace enflow::variational {

ShootingResult shooting_committor(const CommittorProblem& problem, const at::Tensor& x0,
                                  const ShootingOptions& o) {
  if (!problem.in_a || !problem.in_b || !(problem.beta > 0))
    throw std::invalid_argument("shooting: the problem needs in_a, in_b and beta > 0");
  if (x0.dim() != 2 || x0.size(1) != problem.dim || x0.size(0) < 1)
    throw std::invalid_argument("shooting: start points must be [P, " +
                                std::to_string(problem.dim) + "]");
  if (o.trajectories() < 1 || !(o.dt() > 0) || o.max_steps() < 1)
    throw std::invalid_argument("shooting: need trajectories >= 1, dt > 0, max_steps >= 1");
  if (!torch::isfinite(x0).all().item<bool>())
    throw std::invalid_argument("shooting: start points contain NaN or Inf");
  torch::manual_seed(o.seed());
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t P = x0.size(0), T = o.trajectories();
  // Paths [P * T, d], path i starting at point i / T.
  auto x = x0.detach().repeat_interleave(T, 0);
  auto origin = torch::arange(P, x0.options().dtype(torch::kLong)).repeat_interleave(T);
  auto hit_b = problem.in_b(x);
  auto decided = problem.in_a(x) | hit_b;
  const double noise = std::sqrt(2.0 * o.dt() / problem.beta);
  int64_t step = 0;
  // Only the undecided paths move; `live` indexes them.
  auto live = (~decided).nonzero().squeeze(1);
  while (live.numel() > 0 && step < o.max_steps()) {
    auto y = x.index_select(0, live);
    auto drift =
        problem.potential ? -detail::gradient_of(problem.potential, y) : torch::zeros_like(y);
    y = (y + o.dt() * drift + noise * torch::randn_like(y)).detach();
    x.index_copy_(0, live, y);
    auto ia = problem.in_a(y), ib = problem.in_b(y);
    auto done = ia | ib;
    if (done.any().item<bool>()) {
      auto idx = live.masked_select(done);
      decided.index_fill_(0, idx, true);
      hit_b.index_copy_(0, idx, ib.masked_select(done));
      live = live.masked_select(~done);
    }
    ++step;
  }
  auto dec = decided.to(x0.scalar_type()), wins = (hit_b & decided).to(x0.scalar_type());
  auto n_dec = torch::zeros({P}, x0.options()).index_add_(0, origin, dec);
  auto n_b = torch::zeros({P}, x0.options()).index_add_(0, origin, wins);
  ShootingResult r;
  r.q = n_b / n_dec.clamp_min(1);
  r.std_error = (r.q * (1 - r.q) / n_dec.clamp_min(1)).sqrt();
  r.undecided = live.numel();
  r.steps = step;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace enflow::variational
