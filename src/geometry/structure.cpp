#include "enflow/geometry/structure.h"

#include <torch/torch.h>

#include <stdexcept>

namespace enflow::geometry {

namespace {
torch::TensorOptions f64() { return torch::TensorOptions().dtype(torch::kFloat64); }

// Periodic shift matrix: (P u)_k = u_{k+1}.
torch::Tensor shift(int64_t n) { return torch::roll(torch::eye(n, f64()), 1, 1); }
}  // namespace

at::Tensor canonical_symplectic(int64_t dim) {
  if (dim <= 0 || dim % 2)
    throw std::invalid_argument("symplectic structure needs an even dimension");
  const int64_t n = dim / 2;
  auto S = torch::zeros({dim, dim}, f64());
  S.narrow(0, 0, n).narrow(1, n, n).copy_(torch::eye(n, f64()));
  S.narrow(0, n, n).narrow(1, 0, n).copy_(-torch::eye(n, f64()));
  return S;
}

at::Tensor central_difference(int64_t n, double dx) {
  if (n < 3) throw std::invalid_argument("central difference needs at least 3 grid points");
  auto P = shift(n);
  return (P - P.t()) / (2.0 * dx);
}

at::Tensor second_difference(int64_t n, double dx) {
  if (n < 3) throw std::invalid_argument("second difference needs at least 3 grid points");
  auto P = shift(n);
  return (P + P.t() - 2.0 * torch::eye(n, f64())) / (dx * dx);
}

FixedStructureImpl::FixedStructureImpl(at::Tensor G, std::string kind, bool conservative)
    : kind_(std::move(kind)), conservative_(conservative) {
  G_ = register_buffer("G", std::move(G));
}

FrictionStructureImpl::FrictionStructureImpl(int64_t dim, double initial_friction) : dim_(dim) {
  if (dim % 2)
    throw std::invalid_argument("friction structure needs (q, p) states of even dimension");
  // softplus⁻¹(initial_friction) so that R starts at the requested value.
  const double raw = std::log(std::expm1(std::max(initial_friction, 1e-8)));
  raw_ = register_parameter("raw_friction", torch::full({dim / 2}, raw));
  register_buffer("S", canonical_symplectic(dim).to(torch::kFloat32));
}

at::Tensor FrictionStructureImpl::friction() { return torch::softplus(raw_); }

at::Tensor FrictionStructureImpl::matrix() {
  auto S = named_buffers()["S"];
  auto r = torch::cat({torch::zeros_like(raw_), friction()});
  return S - torch::diag(r);
}

LearnableSkewImpl::LearnableSkewImpl(int64_t dim) {
  A_ = register_parameter("A", 0.1 * torch::randn({dim, dim}));
}
at::Tensor LearnableSkewImpl::matrix() { return A_ - A_.t(); }

LearnableDissipativeImpl::LearnableDissipativeImpl(int64_t dim) {
  A_ = register_parameter("A", 0.1 * torch::randn({dim, dim}));
  L_ = register_parameter("L", 0.1 * torch::randn({dim, dim}));
}
at::Tensor LearnableDissipativeImpl::matrix() { return (A_ - A_.t()) - torch::matmul(L_, L_.t()); }

Structure make_structure(const std::string& name, int64_t dim, double dx) {
  if (name == "symplectic") {
    return std::make_shared<FixedStructureImpl>(canonical_symplectic(dim), name, true);
  }
  if (name == "D")
    return std::make_shared<FixedStructureImpl>(central_difference(dim, dx), name, true);
  if (name == "D2") {
    return std::make_shared<FixedStructureImpl>(second_difference(dim, dx), name, false);
  }
  if (name == "friction") return std::make_shared<FrictionStructureImpl>(dim);
  if (name == "learnable_skew") return std::make_shared<LearnableSkewImpl>(dim);
  if (name == "learnable_dissipative") return std::make_shared<LearnableDissipativeImpl>(dim);
  throw std::invalid_argument("unknown structure '" + name +
                              "' (known: symplectic, friction, D, D2, learnable_skew, "
                              "learnable_dissipative)");
}

}  // namespace enflow::geometry
