#include "enflow/flows/networks.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace enflow::flows {
namespace {

torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
  return torch::addmm(b, x, w.t());
}

torch::Tensor uniform_init(int64_t out, int64_t in) {
  const double a = std::sqrt(6.0 / static_cast<double>(in + out));  // Glorot
  return (torch::rand({out, in}, torch::kFloat64) * 2 - 1) * a;
}

}  // namespace

namespace {

/// ψ(x) = ½|xA|² + ½ε|x|² + cᵀx + ICNN(x); Φ = ∇ψ.
class ConvexGradientMapImpl : public FlowMapImpl {
 public:
  explicit ConvexGradientMapImpl(const FlowMapOptions& o) : o_(o) {
    const int64_t d = o.dim(), w = o.width();
    if (!(o.min_curvature() > 0 && o.min_curvature() < 1))
      throw std::invalid_argument("FlowMap: min_curvature must be in (0, 1)");
    A_ = register_parameter("A", torch::eye(d, torch::kFloat64) * std::sqrt(1 - o.min_curvature()));
    c_ = register_parameter("c", torch::zeros({d}, torch::kFloat64));
    for (int64_t k = 0; k < o.depth(); ++k) {
      W_.push_back(register_parameter("W" + std::to_string(k), uniform_init(w, d)));
      b_.push_back(register_parameter("b" + std::to_string(k), torch::zeros({w}, torch::kFloat64)));
      if (k > 0) {
        // softplus(U) ≈ 1/w on average, so hidden layers neither blow up nor vanish.
        U_.push_back(register_parameter(
            "U" + std::to_string(k),
            std::log(std::expm1(1.0 / w)) + 0.1 * torch::randn({w, w}, torch::kFloat64)));
      }
    }
    if (o.depth() > 0) out_ = register_parameter("out", torch::full({w}, -6.0, torch::kFloat64));
  }

  at::Tensor forward(const at::Tensor& x) override { return closed_form(x, false).first; }

  at::Tensor jacobian(const at::Tensor& x, at::Tensor* phi) override {
    auto r = closed_form(x, true);
    if (phi) *phi = r.first;
    return r.second;
  }

 private:
  // Φ = ∇ψ and ∇Φ = ∇²ψ in closed form, differentiable in the parameters by first-order
  // autograd only (no double backward through x: several times faster and lighter).
  // With pre-activations a_k (affine in z_{k−1} and x), σ = softplus and the adjoints
  // g_k = ∂ICNN/∂z_k ≥ 0:  ∇ICNN = Σ_k Wₖᵀ(g_k σ'(a_k)),  ∇²ICNN = Σ_k J_kᵀ diag(g_k σ''(a_k)) J_k
  // with J_k = ∂a_k/∂x; each term is positive semi-definite, so ∇Φ ⪰ εI.
  std::pair<at::Tensor, at::Tensor> closed_form(const at::Tensor& x, bool with_hessian) {
    const size_t L = W_.size();
    std::vector<torch::Tensor> a(L), s(L), Ut(L);
    torch::Tensor z;
    for (size_t k = 0; k < L; ++k) {
      a[k] = linear(x, W_[k], b_[k]);
      if (k > 0) {
        Ut[k] = torch::softplus(U_[k - 1]);
        a[k] = a[k] + torch::matmul(z, Ut[k].t());
      }
      s[k] = torch::sigmoid(a[k]);
      z = torch::softplus(a[k]);
    }
    std::vector<torch::Tensor> g(L);
    if (L > 0) g[L - 1] = torch::softplus(out_).expand_as(a[L - 1]);
    for (size_t k = L; k > 1; --k) g[k - 2] = torch::matmul(g[k - 1] * s[k - 1], Ut[k - 1]);
    const double eps = o_.min_curvature();
    auto quad = torch::matmul(A_, A_.t());
    auto phi = torch::matmul(x, quad) + eps * x + c_;
    for (size_t k = 0; k < L; ++k) phi = phi + torch::matmul(g[k] * s[k], W_[k]);
    if (!with_hessian) return {phi, torch::Tensor()};
    const int64_t n = x.size(0), d = x.size(1);
    auto H = (quad + eps * torch::eye(d, x.options())).expand({n, d, d});
    if (L == 0) return {phi, H};
    // First layer: J_1 = W_0 for every point, so Σ_w c_w W_0[w]ᵀW_0[w] is one matrix product.
    auto outer = (W_[0].unsqueeze(2) * W_[0].unsqueeze(1)).reshape({W_[0].size(0), d * d});
    H = H + torch::matmul(g[0] * s[0] * (1 - s[0]), outer).reshape({n, d, d});
    auto J = W_[0].unsqueeze(0).expand({n, W_[0].size(0), d});
    for (size_t k = 1; k < L; ++k) {
      J = torch::matmul(Ut[k], s[k - 1].unsqueeze(2) * J) + W_[k];
      auto c = (g[k] * s[k] * (1 - s[k])).unsqueeze(2);
      H = H + torch::matmul(J.transpose(1, 2), c * J);
    }
    return {phi, H};
  }

  FlowMapOptions o_;
  torch::Tensor A_, c_, out_;
  std::vector<torch::Tensor> W_, b_, U_;
};

/// Affine a⊙x + c (a = exp(s) > 0), then planar layers x + û tanh(wᵀx + b), wᵀû ≥ −1.
class PlanarFlowMapImpl : public FlowMapImpl {
 public:
  explicit PlanarFlowMapImpl(const FlowMapOptions& o) {
    const int64_t d = o.dim();
    s_ = register_parameter("s", torch::zeros({d}, torch::kFloat64));
    c_ = register_parameter("c", torch::zeros({d}, torch::kFloat64));
    const double a0 = std::log(std::expm1(1.0));  // m(a0) = 0: û = 0, the identity at start
    for (int64_t k = 0; k < o.depth(); ++k) {
      auto w = torch::randn({d}, torch::kFloat64);
      w_.push_back(register_parameter("w" + std::to_string(k), w));
      u_.push_back(register_parameter("u" + std::to_string(k), (a0 * w / w.pow(2).sum()).detach()));
      b_.push_back(register_parameter("b" + std::to_string(k), torch::zeros({1}, torch::kFloat64)));
    }
  }

  at::Tensor forward(const at::Tensor& x) override {
    auto y = x * torch::exp(s_) + c_;
    for (size_t k = 0; k < w_.size(); ++k) {
      auto wu = torch::dot(w_[k], u_[k]);
      auto uh = u_[k] + (torch::softplus(wu) - 1 - wu) * w_[k] / w_[k].pow(2).sum();
      y = y + torch::tanh(torch::matmul(y, w_[k]) + b_[k]).unsqueeze(1) * uh;
    }
    return y;
  }

 private:
  torch::Tensor s_, c_;
  std::vector<torch::Tensor> w_, u_, b_;
};

}  // namespace

FlowMap make_flow_map(const FlowMapOptions& o) {
  if (o.dim() < 1 || o.width() < 1 || o.depth() < (o.kind() == "icnn" ? 0 : 1))
    throw std::invalid_argument(
        "FlowMap: dim, width and depth must be >= 1 (depth >= 0 for icnn: 0 is the affine map)");
  if (o.kind() == "icnn") return std::make_shared<ConvexGradientMapImpl>(o);
  if (o.kind() == "planar") return std::make_shared<PlanarFlowMapImpl>(o);
  throw std::invalid_argument("FlowMap: kind must be 'icnn' or 'planar', got '" + o.kind() + "'");
}

at::Tensor FlowMapImpl::jacobian(const at::Tensor& x, at::Tensor* phi) {
  torch::AutoGradMode grad_on(true);  // also under NoGradGuard: the rows are gradients in x
  auto xr = x.detach().requires_grad_(true);
  auto y = forward(xr);
  const int64_t d = x.size(1);
  std::vector<torch::Tensor> rows;
  for (int64_t k = 0; k < d; ++k) {
    auto g = torch::autograd::grad({y.select(1, k).sum()}, {xr}, {}, /*retain_graph=*/true,
                                   /*create_graph=*/true, /*allow_unused=*/true)[0];
    if (!g.defined()) g = torch::zeros_like(x);
    rows.push_back(g);
  }
  if (phi) *phi = y;
  return torch::stack(rows, 1);
}

at::Tensor map_jacobian(FlowMapImpl& map, const at::Tensor& x, at::Tensor* phi) {
  if (x.dim() != 2) throw std::invalid_argument("map_jacobian: expected points [N, d]");
  return map.jacobian(x, phi);
}

at::Tensor jacobian_logdet(const at::Tensor& J) {
  // An affine map has one Jacobian for all points (a broadcast view): one determinant.
  if (J.size(0) > 1 && J.stride(0) == 0) return torch::logdet(J[0]).expand({J.size(0)});
  return torch::logdet(J);
}

std::pair<at::Tensor, at::Tensor> map_and_logdet(FlowMapImpl& map, const at::Tensor& x) {
  if (x.dim() != 2) throw std::invalid_argument("map_and_logdet: expected points [N, d]");
  torch::Tensor y;
  auto J = map.jacobian(x, &y);
  return {y, jacobian_logdet(J)};
}

}  // namespace enflow::flows
