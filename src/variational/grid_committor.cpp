// Finite-volume reference committor of a 2-D potential (the check for Mueller-Brown).
#include <torch/torch.h>

#include <stdexcept>

#include "enflow/variational/committor.h"

namespace enflow::variational {

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
  // The minimum of the variational problem: E[|grad q|^2] under exp(-beta V) on the box,
  // the same normalization as the network's estimate.
  auto Q = out.values;
  auto dqx = Q.narrow(1, 1, nx - 1) - Q.narrow(1, 0, nx - 1);
  auto dqy = Q.narrow(0, 1, ny - 1) - Q.narrow(0, 0, ny - 1);
  out.dirichlet_energy =
      (((wx * dqx.pow(2)).sum() + (wy * dqy.pow(2)).sum()) / torch::exp(-beta * (Vc - vmin)).sum())
          .item<double>();
  out.x0 = x0;
  out.x1 = x1;
  out.y0 = y0;
  out.y1 = y1;
  out.cg_iterations = it;
  out.residual = r.norm().item<double>() / bnorm;
  return out;
}

}  // namespace enflow::variational
