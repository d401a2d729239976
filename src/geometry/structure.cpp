#include "enflow/geometry/structure.h"

#include <torch/torch.h>

#include <stdexcept>

namespace enflow::geometry {

namespace {
torch::TensorOptions f64() { return torch::TensorOptions().dtype(torch::kFloat64); }
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

namespace {

const StructureRegistrar symplectic_entry(
    "symplectic", {"canonical [[0, I], [-I, 0]] on (q, p): conservative mechanics",
                   [](int64_t dim, double) -> Structure {
                     return std::make_shared<FixedStructureImpl>(canonical_symplectic(dim),
                                                                 "symplectic", true);
                   }});
const StructureRegistrar central_entry(
    "D", {"periodic central difference: conservative PDEs on a 1-D grid (KdV)",
          [](int64_t dim, double dx) -> Structure {
            return std::make_shared<FixedStructureImpl>(central_difference(dim, dx), "D", true);
          }});
const StructureRegistrar second_entry(
    "D2", {"periodic second difference (<= 0): dissipative PDEs on a 1-D grid (Cahn-Hilliard)",
           [](int64_t dim, double dx) -> Structure {
             return std::make_shared<FixedStructureImpl>(second_difference(dim, dx), "D2", false);
           }});
const StructureRegistrar friction_entry(
    "friction", {"S - diag(0, softplus(r)): mechanics with learned non-negative friction",
                 [](int64_t dim, double) -> Structure {
                   return std::make_shared<FrictionStructureImpl>(dim);
                 }});
const StructureRegistrar skew_entry("learnable_skew",
                                    {"A - A^T, learned: conservative, G unknown",
                                     [](int64_t dim, double) -> Structure {
                                       return std::make_shared<LearnableSkewImpl>(dim);
                                     }});
const StructureRegistrar dissipative_entry("learnable_dissipative",
                                           {"(A - A^T) - L L^T, learned: dissipative, G unknown",
                                            [](int64_t dim, double) -> Structure {
                                              return std::make_shared<LearnableDissipativeImpl>(
                                                  dim);
                                            }});

}  // namespace

Structure make_structure(const std::string& name, int64_t dim, double dx) {
  return StructureRegistry::instance().at(name).make(dim, dx);
}

}  // namespace enflow::geometry
