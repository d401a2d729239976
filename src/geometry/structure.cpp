#include "enflow/geometry/structure.h"

#include <torch/torch.h>

#include <cmath>
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

at::Tensor StructureImpl::apply(const at::Tensor& g) { return torch::matmul(g, matrix().t()); }

FixedStructureImpl::FixedStructureImpl(at::Tensor G, std::string kind, bool conservative)
    : kind_(std::move(kind)), conservative_(conservative) {
  G_ = register_buffer("G", std::move(G));
}

FrictionStructureImpl::FrictionStructureImpl(int64_t dim, double initial_friction) : dim_(dim) {
  if (dim % 2)
    throw std::invalid_argument("friction structure needs (q, p) states of even dimension");
  // softplus⁻¹(initial_friction) so that R starts at the requested value (expm1 keeps the
  // digits of small values; above 30, softplus(r) = r to rounding).
  const double f = std::max(initial_friction, 1e-300);
  const double raw = f > 30 ? f : std::log(std::expm1(f));
  raw_ = register_parameter("raw_friction", torch::full({dim / 2}, raw));
  register_buffer("S", canonical_symplectic(dim).to(torch::kFloat32));
}

at::Tensor FrictionStructureImpl::friction() { return torch::softplus(raw_); }

at::Tensor FrictionStructureImpl::matrix() {
  auto S = named_buffers()["S"];
  auto r = torch::cat({torch::zeros_like(raw_), friction()});
  return S - torch::diag(r);
}

ScaledGradientFlowImpl::ScaledGradientFlowImpl(int64_t dim, double scale_init) : dim_(dim) {
  log_scale_ = register_parameter("log_scale", torch::full({}, std::log(scale_init)));
}
at::Tensor ScaledGradientFlowImpl::scale() { return torch::exp(log_scale_); }
at::Tensor ScaledGradientFlowImpl::matrix() {
  return -scale() * torch::eye(dim_, log_scale_.options());
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
                   [](const StructureOptions& o) -> Structure {
                     return std::make_shared<FixedStructureImpl>(canonical_symplectic(o.dim()),
                                                                 "symplectic", true);
                   }});
const StructureRegistrar central_entry(
    "D", {"periodic central difference: conservative PDEs on a 1-D grid (KdV)",
          [](const StructureOptions& o) -> Structure {
            return std::make_shared<FixedStructureImpl>(central_difference(o.dim(), o.dx()), "D",
                                                        true);
          }});
const StructureRegistrar second_entry(
    "D2", {"periodic second difference (<= 0): dissipative PDEs on a 1-D grid (Cahn-Hilliard)",
           [](const StructureOptions& o) -> Structure {
             return std::make_shared<FixedStructureImpl>(second_difference(o.dim(), o.dx()), "D2",
                                                         false);
           }});
const StructureRegistrar gradient_flow_entry(
    "gradient_flow",
    {"-I: L2 gradient flow u_t = -grad F(u) (ODE states or grid values; Allen-Cahn type)",
     [](const StructureOptions& o) -> Structure {
       return std::make_shared<FixedStructureImpl>(-torch::eye(o.dim(), f64()), "gradient_flow",
                                                   false);
     }});
const StructureRegistrar scaled_gradient_flow_entry(
    "scaled_gradient_flow",
    {"-c I, c > 0 learned (model.scale_init): gradient flow of unknown mobility",
     [](const StructureOptions& o) -> Structure {
       return std::make_shared<ScaledGradientFlowImpl>(o.dim(), o.scale_init());
     }});
const StructureRegistrar friction_entry(
    "friction",
    {"S - diag(0, softplus(r)): mechanics with learned non-negative friction (model.friction_init)",
     [](const StructureOptions& o) -> Structure {
       return std::make_shared<FrictionStructureImpl>(o.dim(), o.friction_init());
     }});
const StructureRegistrar skew_entry("learnable_skew",
                                    {"A - A^T, learned: conservative, G unknown",
                                     [](const StructureOptions& o) -> Structure {
                                       return std::make_shared<LearnableSkewImpl>(o.dim());
                                     }});
const StructureRegistrar dissipative_entry("learnable_dissipative",
                                           {"(A - A^T) - L L^T, learned: dissipative, G unknown",
                                            [](const StructureOptions& o) -> Structure {
                                              return std::make_shared<LearnableDissipativeImpl>(
                                                  o.dim());
                                            }});

}  // namespace

Structure make_structure(const std::string& name, const StructureOptions& options) {
  const auto& entry = StructureRegistry::instance().at(name);
  if (!(options.friction_init() > 0) || !std::isfinite(options.friction_init()))
    throw std::invalid_argument("friction_init must be positive and finite");
  if (!(options.scale_init() > 0) || !std::isfinite(options.scale_init()))
    throw std::invalid_argument("scale_init must be positive and finite");
  return entry.make(options);
}

Structure make_structure(const std::string& name, int64_t dim, double dx) {
  return make_structure(name, StructureOptions().dim(dim).dx(dx));
}

}  // namespace enflow::geometry
