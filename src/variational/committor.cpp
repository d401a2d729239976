#include "enflow/variational/committor.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <stdexcept>

#include "variational/nets.h"

namespace enflow::variational {

namespace {

torch::Tensor gradient_of(const ScalarField& f, const torch::Tensor& x) {
  auto xr = x.detach().requires_grad_(true);
  auto y = f(xr);
  return torch::autograd::grad({y.sum()}, {xr})[0];
}

/// Persistent MALA chains on exp(-sample_beta V); each call advances `thin` steps.
struct MalaState {
  ScalarField potential;
  MalaOptions opt;
  torch::Tensor x;  // [C, d]
  double step;
  std::function<torch::Tensor(int64_t)> init;
  double acceptance = 0;

  void advance(int64_t steps, bool adapt) {
    const double sb = opt.sample_beta();
    auto U = [&](const torch::Tensor& y) { return sb * potential(y); };
    auto ux = U(x).detach();
    auto gx = gradient_of(U, x);
    for (int64_t k = 0; k < steps; ++k) {
      auto y = (x - step * gx + std::sqrt(2 * step) * torch::randn_like(x)).detach();
      auto uy = U(y).detach();
      auto gy = gradient_of(U, y);
      auto fwd = (y - x + step * gx).pow(2).sum(1) / (4 * step);
      auto bwd = (x - y + step * gy).pow(2).sum(1) / (4 * step);
      auto log_acc = -uy + ux - bwd + fwd;
      auto accept = torch::log(torch::rand_like(log_acc)) < log_acc;
      accept = accept & torch::isfinite(uy);
      auto a = accept.unsqueeze(1);
      x = torch::where(a, y, x);
      ux = torch::where(accept, uy, ux);
      gx = torch::where(a, gy, gx);
      acceptance = accept.to(torch::kDouble).mean().item<double>();
      if (adapt) step *= std::exp(0.5 * (acceptance - opt.target_acceptance()));
    }
  }
};

Sampler mala_sampler(const ScalarField& potential, double beta, const MalaOptions& mala,
                     std::function<torch::Tensor(int64_t)> init) {
  if (!(mala.sample_beta() > 0) || !(mala.step() > 0) || mala.thin() < 1 || mala.burn_in() < 0)
    throw std::invalid_argument("MALA needs sample_beta > 0, step > 0, thin >= 1, burn_in >= 0");
  auto st = std::make_shared<MalaState>();
  st->potential = potential;
  st->opt = mala;
  st->step = mala.step();
  st->init = std::move(init);
  return [st, beta](int64_t n) {
    if (!st->x.defined() || st->x.size(0) != n) {
      st->x = st->init(n);
      st->advance(st->opt.burn_in(), true);
    }
    st->advance(st->opt.thin(), false);
    auto x = st->x.clone();
    auto log_w = -(beta - st->opt.sample_beta()) * st->potential(x).detach();
    return WeightedSamples{x, log_w};
  };
}

torch::Tensor sphere_directions(int64_t n, int64_t d, const torch::TensorOptions& o) {
  auto g = torch::randn({n, d}, o);
  return g / g.norm(2, 1, true);
}

}  // namespace

CommittorProblem double_well_problem(double beta, const at::TensorOptions& options, double margin) {
  if (!(beta > 0)) throw std::invalid_argument("double well: beta must be positive");
  CommittorProblem p;
  p.name = "double_well";
  p.dim = 1;
  p.beta = beta;
  p.potential = [](const torch::Tensor& x) { return (x.select(1, 0).pow(2) - 1).pow(2); };
  p.in_a = [](const torch::Tensor& x) { return x.select(1, 0) <= -1; };
  p.in_b = [](const torch::Tensor& x) { return x.select(1, 0) >= 1; };
  auto V = p.potential;
  p.sampler = [=](int64_t n) {
    auto x = (torch::rand({n, 1}, options) * (2 + 2 * margin) - (1 + margin));
    return WeightedSamples{x, -beta * V(x)};
  };
  // Quadrature on a fine grid: cumulative trapezoid of exp(beta V) from -1 to 1.
  const int64_t m = 20001;
  auto grid = torch::linspace(-1, 1, m, options);
  auto e = torch::exp(beta * (grid.pow(2) - 1).pow(2));
  auto cum = torch::zeros({m}, options);
  cum.narrow(0, 1, m - 1)
      .copy_(torch::cumsum(0.5 * (e.narrow(0, 1, m - 1) + e.narrow(0, 0, m - 1)), 0));
  auto table = cum / cum[m - 1];
  p.exact = [table, m](const torch::Tensor& x) {
    auto t = ((x.select(1, 0).clamp(-1, 1) + 1) / 2 * (m - 1)).to(table.device());
    auto i0 = t.floor().clamp(0, m - 2).to(torch::kLong);
    auto frac = t - i0.to(t.scalar_type());
    return (table.index_select(0, i0) * (1 - frac) + table.index_select(0, i0 + 1) * frac)
        .to(x.scalar_type());
  };
  p.input_scale = torch::ones({1}, options);
  p.input_shift = torch::zeros({1}, options);
  p.lift = [](const torch::Tensor& x) { return ((x.select(1, 0) + 1) / 2).clamp(0, 1); };
  p.distance = [](const torch::Tensor& x) { return (1 - x.select(1, 0).pow(2)).clamp_min(0); };
  return p;
}

CommittorProblem concentric_spheres_problem(int64_t dim, double a, double b,
                                            const at::TensorOptions& options, double margin) {
  if (dim < 1) throw std::invalid_argument("concentric spheres: dim must be >= 1");
  if (!(a > margin) || !(b > a) || !(margin >= 0))
    throw std::invalid_argument("concentric spheres: need 0 <= margin < a < b");
  CommittorProblem p;
  p.name = "concentric_spheres";
  p.dim = dim;
  p.beta = 1.0;
  p.in_a = [a](const torch::Tensor& x) { return x.norm(2, 1) <= a; };
  p.in_b = [b](const torch::Tensor& x) { return x.norm(2, 1) >= b; };
  p.sampler = [=](int64_t n) {
    auto r = torch::rand({n, 1}, options) * (b - a + 2 * margin) + (a - margin);
    auto x = r * sphere_directions(n, dim, options);
    return WeightedSamples{x, double(dim - 1) * torch::log(r.squeeze(1))};
  };
  p.exact = [=](const torch::Tensor& x) {
    auto r = x.norm(2, 1).clamp(a, b);
    if (dim == 2) return torch::log(r / a) / std::log(b / a);
    if (dim == 1) return (r - a) / (b - a);
    const double k = 2.0 - double(dim);
    return (std::pow(a, k) - r.pow(k)) / (std::pow(a, k) - std::pow(b, k));
  };
  p.input_shift = torch::zeros({dim}, options);
  p.input_scale = torch::full({dim}, b, options);
  p.lift = [a, b](const torch::Tensor& x) { return ((x.norm(2, 1) - a) / (b - a)).clamp(0, 1); };
  p.distance = [a, b](const torch::Tensor& x) {
    auto r = x.norm(2, 1);
    return ((r - a) * (b - r)).clamp_min(0) / ((b - a) * (b - a));
  };
  return p;
}

at::Tensor muller_brown_potential(const at::Tensor& x) {
  static const double A[4] = {-200, -100, -170, 15}, a[4] = {-1, -1, -6.5, 0.7},
                      b[4] = {0, 0, 11, 0.6}, c[4] = {-10, -10, -6.5, 0.7},
                      x0[4] = {1, 0, -0.5, -1}, y0[4] = {0, 0.5, 1.5, 1};
  auto X = x.select(1, 0), Y = x.select(1, 1);
  auto v = torch::zeros_like(X);
  for (int i = 0; i < 4; ++i) {
    auto dx = X - x0[i], dy = Y - y0[i];
    v = v + A[i] * torch::exp(a[i] * dx * dx + b[i] * dx * dy + c[i] * dy * dy);
  }
  return v;
}

CommittorProblem muller_brown_problem(int64_t dim, double beta, const MalaOptions& mala,
                                      const at::TensorOptions& options, double confine,
                                      double radius) {
  if (dim < 2) throw std::invalid_argument("Mueller-Brown: dim must be >= 2");
  if (!(beta > 0) || !(radius > 0) || !(confine >= 0))
    throw std::invalid_argument("Mueller-Brown: need beta > 0, radius > 0, confine >= 0");
  CommittorProblem p;
  p.name = dim == 2 ? "muller_brown" : "muller_brown_" + std::to_string(dim) + "d";
  p.dim = dim;
  p.beta = beta;
  p.potential = [dim, confine](const torch::Tensor& x) {
    auto v = muller_brown_potential(x);
    if (dim > 2) v = v + 0.5 * confine * x.narrow(1, 2, dim - 2).pow(2).sum(1);
    return v;
  };
  const double ax = -0.558, ay = 1.442, bx = 0.623, by = 0.028;
  auto disk = [radius](double cx, double cy) {
    return [=](const torch::Tensor& x) {
      return (x.select(1, 0) - cx).pow(2) + (x.select(1, 1) - cy).pow(2) <= radius * radius;
    };
  };
  p.in_a = disk(ax, ay);
  p.in_b = disk(bx, by);
  auto init = [=](int64_t n) {
    // Half the chains start in A, half in B.
    auto x = torch::zeros({n, dim}, options);
    auto half = n / 2;
    x.narrow(0, 0, half).select(1, 0).fill_(ax);
    x.narrow(0, 0, half).select(1, 1).fill_(ay);
    x.narrow(0, half, n - half).select(1, 0).fill_(bx);
    x.narrow(0, half, n - half).select(1, 1).fill_(by);
    return x;
  };
  p.sampler = mala_sampler(p.potential, beta, mala, init);
  auto shift = torch::zeros({dim}, options), scale = torch::ones({dim}, options);
  shift[0] = -0.25;
  shift[1] = 0.75;
  scale[0] = 0.8;
  scale[1] = 0.8;
  if (dim > 2 && confine > 0)
    scale.narrow(0, 2, dim - 2).fill_(1.0 / std::sqrt(mala.sample_beta() * confine));
  p.input_shift = shift;
  p.input_scale = scale;
  return p;
}

CommittorProblem ginzburg_landau_problem(int64_t n, double lambda, double beta,
                                         const MalaOptions& mala, const at::TensorOptions& options,
                                         double set_level) {
  if (n < 2 || !(lambda > 0) || !(beta > 0) || !(set_level > 0 && set_level < 1))
    throw std::invalid_argument(
        "Ginzburg-Landau: need n >= 2, lambda > 0, beta > 0, 0 < set_level < 1");
  CommittorProblem p;
  p.name = "ginzburg_landau";
  p.dim = n;
  p.beta = beta;
  const double h = 1.0 / double(n + 1);
  p.potential = [=](const torch::Tensor& u) {
    auto padded = torch::constant_pad_nd(u, {1, 1}, 0.0);
    auto du = (padded.narrow(1, 1, n + 1) - padded.narrow(1, 0, n + 1)) / h;
    return h * (0.5 * lambda * du.pow(2).sum(1) + (1 - u.pow(2)).pow(2).sum(1) / (4 * lambda));
  };
  p.in_a = [set_level](const torch::Tensor& u) { return u.mean(1) <= -set_level; };
  p.in_b = [set_level](const torch::Tensor& u) { return u.mean(1) >= set_level; };
  auto init = [=](int64_t c) {
    auto u = torch::ones({c, n}, options);
    u.narrow(0, 0, c / 2).neg_();
    return u;
  };
  p.sampler = mala_sampler(p.potential, beta, mala, init);
  p.input_shift = torch::zeros({n}, options);
  p.input_scale = torch::ones({n}, options);
  return p;
}

CommittorResult solve_committor(const CommittorProblem& problem, const CommittorOptions& o) {
  if (problem.dim < 1 || !problem.in_a || !problem.in_b || !problem.sampler)
    throw std::invalid_argument("committor problem '" + problem.name +
                                "' needs dim, in_a, in_b and a sampler");
  if (o.iterations() < 1 || o.batch_size() < 2 || !(o.lr() > 0) || !(o.lr_final() > 0) ||
      !(o.penalty_start() > 0) || !(o.penalty_end() > 0) || !(o.continuation() > 0))
    throw std::invalid_argument(
        "committor options: need iterations >= 1, batch_size >= 2, positive lr, lr_final, "
        "penalties and continuation");
  torch::manual_seed(o.seed());
  auto probe = problem.sampler(o.batch_size());
  auto topt = probe.x.options();
  const bool exact_bc = o.exact_boundary() && problem.lift && problem.distance;
  auto net = detail::ScalarMlp(
      problem.dim, o.hidden(), o.sigmoid_output() && !exact_bc,
      problem.input_shift.defined() ? problem.input_shift.to(topt) : torch::Tensor(),
      problem.input_scale.defined() ? problem.input_scale.to(topt) : torch::Tensor());
  net->to(topt.device(), topt.dtype().toScalarType());
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(o.lr()));

  CommittorResult res;
  ScalarField qfun = [net, exact_bc, problem](const torch::Tensor& x) mutable {
    auto y = net->forward(x);
    return exact_bc ? problem.lift(x) + problem.distance(x) * y : y;
  };
  auto evaluate = [&](const WeightedSamples& s, bool graph, double* dir_out, double* pen_out) {
    auto x = s.x.detach().requires_grad_(true);
    auto q = qfun(x);
    auto g = torch::autograd::grad({q.sum()}, {x}, {}, graph, graph)[0];
    auto w = torch::softmax(s.log_w, 0) * double(s.log_w.size(0));
    auto ma = problem.in_a(x.detach()), mb = problem.in_b(x.detach());
    auto inner = (~(ma | mb)).to(q.scalar_type());
    auto dir = (w * inner * g.pow(2).sum(1)).mean();
    auto fa = ma.to(q.scalar_type()), fb = mb.to(q.scalar_type());
    auto pen = (fa * q.pow(2)).sum() / fa.sum().clamp_min(1) +
               (fb * (q - 1).pow(2)).sum() / fb.sum().clamp_min(1);
    if (dir_out) *dir_out = dir.item<double>();
    if (pen_out) *pen_out = pen.item<double>();
    return std::make_pair(dir, pen);
  };

  const auto t0 = std::chrono::steady_clock::now();
  const int64_t n = o.iterations();
  auto penalty_at = [&](double frac) {
    if (exact_bc) return 0.0;
    return o.penalty_start() *
           std::pow(o.penalty_end() / o.penalty_start(), std::min(1.0, frac / o.continuation()));
  };
  if (o.optimizer() == "lbfgs") {
    if (o.lbfgs_inner() < 1) throw std::invalid_argument("committor: lbfgs_inner must be >= 1");
    torch::optim::LBFGS lbfgs(net->parameters(), torch::optim::LBFGSOptions(1.0)
                                                     .max_iter(o.lbfgs_inner())
                                                     .history_size(20)
                                                     .line_search_fn("strong_wolfe"));
    int64_t evals = 0;
    while (evals < n) {
      auto s = evals == 0 ? probe : problem.sampler(o.batch_size());
      const double lam = penalty_at(double(evals) / double(n));
      double pv = 0;
      auto closure = [&]() -> torch::Tensor {
        lbfgs.zero_grad();
        double d = 0;
        auto [dir, pen] = evaluate(s, true, &d, &pv);
        auto loss = 0.5 * dir + lam * pen;
        loss.backward();
        const double lv = loss.item<double>();
        if (!std::isfinite(lv))
          throw std::runtime_error("committor L-BFGS diverged (lower penalty_end)");
        res.loss_history.push_back(lv);
        res.dirichlet_history.push_back(d);
        ++evals;
        if (o.on_progress() &&
            (evals % std::max<int64_t>(1, o.progress_every()) == 0 || evals == n))
          o.on_progress()({std::min(evals, n), n, lv, pv});
        return loss;
      };
      lbfgs.step(closure);
    }
  } else if (o.optimizer() != "adam") {
    throw std::invalid_argument("committor optimizer must be adam or lbfgs, got '" + o.optimizer() +
                                "'");
  }
  for (int64_t k = 0; k < n && o.optimizer() == "adam"; ++k) {
    const double frac = double(k) / double(n);
    const double lr = o.lr() * std::pow(o.lr_final() / o.lr(), frac);
    for (auto& group : opt.param_groups())
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    const double lam = penalty_at(frac);
    auto s = k == 0 ? probe : problem.sampler(o.batch_size());
    double d = 0, pv = 0;
    auto [dir, pen] = evaluate(s, true, &d, &pv);
    auto loss = 0.5 * dir + lam * pen;
    opt.zero_grad();
    loss.backward();
    opt.step();
    const double lv = loss.item<double>();
    if (!std::isfinite(lv))
      throw std::runtime_error("committor training diverged at iteration " + std::to_string(k) +
                               " (lower the learning rate or penalty_end)");
    res.loss_history.push_back(lv);
    res.dirichlet_history.push_back(d);
    if (o.on_progress() && ((k + 1) % std::max<int64_t>(1, o.progress_every()) == 0 || k + 1 == n))
      o.on_progress()({k + 1, n, lv, pv});
  }
  // Final estimates on a few fresh batches.
  double dsum = 0, psum = 0;
  const int reps = 10;
  for (int r = 0; r < reps; ++r) {
    double d = 0, pv = 0;
    evaluate(problem.sampler(o.batch_size()), false, &d, &pv);
    dsum += d;
    psum += pv;
  }
  res.dirichlet_energy = dsum / reps;
  res.boundary_error = std::sqrt(psum / reps);
  res.iterations = int64_t(res.loss_history.size());
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  net->eval();
  res.net = net.ptr();
  res.q = [qfun, problem](const torch::Tensor& x) mutable {
    torch::NoGradGuard ng;
    auto q = qfun(x);
    q = torch::where(problem.in_a(x), torch::zeros_like(q), q);
    return torch::where(problem.in_b(x), torch::ones_like(q), q);
  };
  return res;
}

at::Tensor GridCommittor::interpolate(const at::Tensor& x) const {
  const int64_t ny = values.size(0), nx = values.size(1);
  auto tx = ((x.select(1, 0) - x0) / (x1 - x0) * double(nx - 1)).clamp(0, double(nx - 1));
  auto ty = ((x.select(1, 1) - y0) / (y1 - y0) * double(ny - 1)).clamp(0, double(ny - 1));
  auto ix = tx.floor().clamp(0, nx - 2).to(torch::kLong);
  auto iy = ty.floor().clamp(0, ny - 2).to(torch::kLong);
  auto fx = tx - ix.to(tx.scalar_type()), fy = ty - iy.to(ty.scalar_type());
  auto flat = values.reshape({-1});
  auto at = [&](const torch::Tensor& j, const torch::Tensor& i) {
    return flat.index_select(0, j * nx + i);
  };
  return at(iy, ix) * (1 - fx) * (1 - fy) + at(iy, ix + 1) * fx * (1 - fy) +
         at(iy + 1, ix) * (1 - fx) * fy + at(iy + 1, ix + 1) * fx * fy;
}

GridCommittor grid_committor_2d(const CommittorProblem& problem, double x0, double x1, double y0,
                                double y1, int64_t nx, int64_t ny, double tol,
                                int64_t max_iterations) {
  if (!problem.potential || !problem.in_a || !problem.in_b)
    throw std::invalid_argument("grid committor needs potential, in_a and in_b");
  if (nx < 3 || ny < 3 || !(x1 > x0) || !(y1 > y0))
    throw std::invalid_argument("grid committor: need nx, ny >= 3 and a non-empty box");
  auto o = torch::TensorOptions().dtype(torch::kDouble);
  const double hx = (x1 - x0) / double(nx - 1), hy = (y1 - y0) / double(ny - 1);
  auto pts = [&](const torch::Tensor& X, const torch::Tensor& Y) {
    auto P = torch::zeros({X.numel(), problem.dim}, o);
    P.select(1, 0).copy_(X.reshape({-1}));
    P.select(1, 1).copy_(Y.reshape({-1}));
    return P;
  };
  auto xs = torch::linspace(x0, x1, nx, o), ys = torch::linspace(y0, y1, ny, o);
  auto mesh = torch::meshgrid({ys, xs}, "ij");  // [ny, nx] each; Y, X
  auto Y = mesh[0], X = mesh[1];
  auto V = [&](const torch::Tensor& XX, const torch::Tensor& YY) {
    return problem.potential(pts(XX, YY)).reshape(XX.sizes());
  };
  const double beta = problem.beta;
  auto Vc = V(X, Y);
  const double vmin = Vc.min().item<double>();
  // Edge weights exp(-beta V(midpoint)) / h^2, shifted by the minimum for range.
  auto wx =
      torch::exp(-beta * (V(X.narrow(1, 0, nx - 1) + hx / 2, Y.narrow(1, 0, nx - 1)) - vmin)) /
      (hx * hx);  // [ny, nx-1]
  auto wy =
      torch::exp(-beta * (V(X.narrow(0, 0, ny - 1), Y.narrow(0, 0, ny - 1) + hy / 2) - vmin)) /
      (hy * hy);  // [ny-1, nx]
  auto P = pts(X, Y);
  auto ma = problem.in_a(P).reshape({ny, nx}), mb = problem.in_b(P).reshape({ny, nx});
  auto fixed = (ma | mb), freem = (~fixed).to(torch::kDouble);
  auto qb = mb.to(torch::kDouble);  // boundary values
  // L q = sum over edges w (q_i - q_j) at each node (positive semi-definite).
  auto apply = [&](const torch::Tensor& q) {
    auto r = torch::zeros_like(q);
    auto dx = wx * (q.narrow(1, 0, nx - 1) - q.narrow(1, 1, nx - 1));
    r.narrow(1, 0, nx - 1).add_(dx);
    r.narrow(1, 1, nx - 1).sub_(dx);
    auto dy = wy * (q.narrow(0, 0, ny - 1) - q.narrow(0, 1, ny - 1));
    r.narrow(0, 0, ny - 1).add_(dy);
    r.narrow(0, 1, ny - 1).sub_(dy);
    return r;
  };
  auto diag = torch::zeros({ny, nx}, o);
  diag.narrow(1, 0, nx - 1).add_(wx);
  diag.narrow(1, 1, nx - 1).add_(wx);
  diag.narrow(0, 0, ny - 1).add_(wy);
  diag.narrow(0, 1, ny - 1).add_(wy);
  diag = diag.clamp_min(1e-300);
  // Solve L (qb + e) = 0 on free nodes for e supported on free nodes.
  auto b = -apply(qb) * freem;
  auto e = torch::zeros({ny, nx}, o);
  auto r = b.clone();
  auto z = r / diag;
  auto p = z.clone();
  double rz = (r * z).sum().item<double>();
  const double bnorm = std::max(b.norm().item<double>(), 1e-300);
  GridCommittor out;
  int64_t it = 0;
  double rel = r.norm().item<double>() / bnorm;
  for (; it < max_iterations && rel > tol; ++it) {
    auto Ap = apply(p) * freem;
    const double alpha = rz / (p * Ap).sum().item<double>();
    e.add_(alpha * p);
    r.sub_(alpha * Ap);
    z = r / diag;
    const double rz_new = (r * z).sum().item<double>();
    p = z + (rz_new / rz) * p;
    rz = rz_new;
    if (it % 20 == 0) rel = r.norm().item<double>() / bnorm;
  }
  out.values = (qb + e * freem).clamp(0, 1);
  out.x0 = x0;
  out.x1 = x1;
  out.y0 = y0;
  out.y1 = y1;
  out.cg_iterations = it;
  out.residual = r.norm().item<double>() / bnorm;
  return out;
}

}  // namespace enflow::variational
