#include "enflow/integrators/gmres.h"

#include <torch/torch.h>

#include <algorithm>
#include <vector>

namespace enflow::integrators {

namespace {

// x / s per sample, with s = 0 (a zero vector: a converged sample or a Krylov breakdown)
// giving 0 instead of NaN.
at::Tensor gmres_normalized(const at::Tensor& x, const at::Tensor& s) {
  return x / torch::where(s > 0, s, torch::ones_like(s)).unsqueeze(1);
}

}  // namespace

at::Tensor batched_gmres(const BatchedOperator& A, const at::Tensor& b, const at::Tensor& atol,
                         const GmresOptions& o, GmresReport* report, const BatchedOperator& M) {
  if (b.dim() != 2) throw std::invalid_argument("batched_gmres: b must be [batch, dim]");
  const int64_t B = b.size(0), d = b.size(1);
  const int m = std::max(1, o.restart());
  const auto opts = b.options();
  auto precond = [&M](const at::Tensor& v) { return M ? M(v).detach() : v; };
  GmresReport rep;
  auto x = torch::zeros_like(b);
  auto r = b.detach();
  for (;;) {
    const auto beta = r.norm(2, 1);
    if ((beta <= atol).all().item<bool>()) {
      rep.converged = true;
      break;
    }
    if (rep.iterations >= o.max_iterations()) break;
    // Arnoldi with classical Gram–Schmidt applied twice (as accurate as modified
    // Gram–Schmidt, but two batched matrix products per pass instead of k small ones).
    auto V = torch::zeros({B, m + 1, d}, opts);
    V.select(1, 0).copy_(gmres_normalized(r, beta));
    auto R = torch::zeros({B, m, m}, opts);   // the Hessenberg matrix after its rotations
    std::vector<at::Tensor> cs, sn;           // Givens rotations, [B] each
    auto g = torch::zeros({B, m + 1}, opts);  // rotated β e₁; |g_k| is the residual norm
    g.select(1, 0).copy_(beta);
    int k = 0;
    bool done = false;
    while (k < m && rep.iterations < o.max_iterations()) {
      auto w = A(precond(V.select(1, k))).detach();
      ++rep.iterations;
      const auto Vk = V.narrow(1, 0, k + 1);
      at::Tensor h;
      for (int pass = 0; pass < 2; ++pass) {
        auto hp = torch::bmm(Vk, w.unsqueeze(2)).squeeze(2);  // [B, k + 1]
        w = w - torch::bmm(hp.unsqueeze(1), Vk).squeeze(1);
        h = pass == 0 ? hp : h + hp;
      }
      const auto hn = w.norm(2, 1);
      V.select(1, k + 1).copy_(gmres_normalized(w, hn));
      std::vector<at::Tensor> c;
      for (int i = 0; i <= k; ++i) c.push_back(h.select(1, i));
      c.push_back(hn);
      for (int i = 0; i < k; ++i) {
        auto t = cs[i] * c[i] + sn[i] * c[i + 1];
        c[i + 1] = -sn[i] * c[i] + cs[i] * c[i + 1];
        c[i] = t;
      }
      const auto den = torch::hypot(c[k], c[k + 1]);
      const auto safe = torch::where(den > 0, den, torch::ones_like(den));
      cs.push_back(torch::where(den > 0, c[k] / safe, torch::ones_like(den)));
      sn.push_back(c[k + 1] / safe);
      c[k] = den;
      R.select(2, k)
          .narrow(1, 0, k + 1)
          .copy_(torch::stack(std::vector<at::Tensor>(c.begin(), c.begin() + k + 1), 1));
      const auto gk = g.select(1, k).clone();
      g.select(1, k + 1).copy_(-sn[k] * gk);
      g.select(1, k).copy_(cs[k] * gk);
      ++k;
      if ((g.select(1, k).abs() <= atol).all().item<bool>()) {
        done = true;
        break;
      }
    }
    // y from the triangular R y = g; a zero diagonal (a sample whose Krylov space ended)
    // has g = 0 below it, so a unit there gives y = 0 for those columns.
    auto Rk = R.narrow(1, 0, k).narrow(2, 0, k).clone();
    auto diag = Rk.diagonal(0, 1, 2);
    diag.copy_(torch::where(diag == 0, torch::ones_like(diag), diag));
    auto y =
        at::linalg_solve_triangular(Rk, g.narrow(1, 0, k).unsqueeze(2), /*upper=*/true).squeeze(2);
    x = x + precond(torch::bmm(y.unsqueeze(1), V.narrow(1, 0, k)).squeeze(1));
    if (done) {
      rep.converged = true;
      break;
    }
    if (rep.iterations >= o.max_iterations()) break;
    r = b - A(x).detach();  // restart from the true residual
    ++rep.iterations;
  }
  if (report) *report = rep;
  return x;
}

}  // namespace enflow::integrators
