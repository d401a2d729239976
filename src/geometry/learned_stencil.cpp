#include "enflow/geometry/learned_stencil.h"

#include <torch/torch.h>

#include <stdexcept>
#include <utility>

#include "enflow/geometry/grid_structure.h"

namespace enflow::geometry {

namespace {

// Every offset of the box [−r, r]^axes; with `half`, only those whose first non-zero
// component is positive (one of each pair ±o, never 0).
std::vector<std::vector<int64_t>> stencil_box(int64_t axes, int64_t r, bool half) {
  std::vector<std::vector<int64_t>> out{{}};
  for (int64_t a = 0; a < axes; ++a) {
    std::vector<std::vector<int64_t>> next;
    for (const auto& o : out)
      for (int64_t k = -r; k <= r; ++k) {
        auto e = o;
        e.push_back(k);
        next.push_back(std::move(e));
      }
    out = std::move(next);
  }
  if (!half) return out;
  std::vector<std::vector<int64_t>> pos;
  for (const auto& o : out)
    for (const auto k : o) {
      if (k == 0) continue;
      if (k > 0) pos.push_back(o);
      break;
    }
  return pos;
}

// (S_o u)_i = u_{i+o} on the last o.size() axes of u.
at::Tensor stencil_shift(const at::Tensor& u, const std::vector<int64_t>& o, int64_t sign) {
  std::vector<int64_t> shifts, dims;
  const auto axes = static_cast<int64_t>(o.size());
  for (int64_t a = 0; a < axes; ++a) {
    if (o[a] == 0) continue;
    shifts.push_back(-sign * o[a]);
    dims.push_back(u.dim() - axes + a);
  }
  return shifts.empty() ? u : torch::roll(u, shifts, dims);
}

}  // namespace

LearnedStencilImpl::LearnedStencilImpl(PeriodicGrid grid, int64_t radius, bool skew,
                                       bool keeps_mass)
    : grid_(std::move(grid)), skew_(skew), keeps_mass_(keeps_mass) {
  const std::string who = skew ? "learned_skew_stencil" : "learned_dissipative_stencil";
  for (const auto n : grid_.sizes)
    if (radius < 1 || 2 * radius >= n)
      throw std::invalid_argument("structure '" + who + "': stencil_radius " +
                                  std::to_string(radius) + " must be >= 1 and below half of " +
                                  "every grid axis (" + std::to_string(n) + " points)");
  offsets_ = stencil_box(grid_.axes(), radius, skew);
  const auto n_offsets = static_cast<int64_t>(offsets_.size());
  coefficients_ =
      register_parameter("coefficients", skew ? 0.1 * torch::randn({n_offsets})
                                              : 0.1 * torch::randn({grid_.axes(), n_offsets}));
}

at::Tensor LearnedStencilImpl::shifted_sum(const at::Tensor& u, const at::Tensor& coefficients,
                                           bool transpose) const {
  const double inv_h = 1.0 / grid_.spacing[0];
  at::Tensor out = torch::zeros_like(u);
  for (size_t j = 0; j < offsets_.size(); ++j) {
    const auto c = coefficients[static_cast<int64_t>(j)] * inv_h;
    if (skew_)
      out = out + c * (stencil_shift(u, offsets_[j], 1) - stencil_shift(u, offsets_[j], -1));
    else
      out = out + c * stencil_shift(u, offsets_[j], transpose ? -1 : 1);
  }
  return out;
}

at::Tensor LearnedStencilImpl::apply(const at::Tensor& g) {
  // Flattened states [B, n] go through the grid's shape.
  const bool flat = g.dim() == 2 && grid_.axes() > 1 && g.size(1) == grid_.points();
  at::Tensor u = g;
  if (flat) {
    std::vector<int64_t> shape{g.size(0)};
    shape.insert(shape.end(), grid_.sizes.begin(), grid_.sizes.end());
    u = g.reshape(shape);
  }
  at::Tensor out;
  if (skew_) {
    out = shifted_sum(u, coefficients_, false);
  } else {
    for (int64_t j = 0; j < coefficients_.size(0); ++j) {
      const auto k = keeps_mass_ ? coefficients_[j] - coefficients_[j].mean() : coefficients_[j];
      const auto term = shifted_sum(shifted_sum(u, k, false), k, true);
      out = j == 0 ? -term : out - term;
    }
  }
  return flat ? out.reshape(g.sizes()) : out;
}

at::Tensor LearnedStencilImpl::matrix() {
  const int64_t n = grid_.points();
  if (n > 4096)
    throw std::invalid_argument(kind() + ": the dense matrix is for grids of <= 4096 points");
  // Row j of apply(I) is G e_j, column j of G.
  return apply(torch::eye(n, coefficients_.options())).t();
}

namespace {

// G = S − R with both learned (phlearn's S and R stencils beside one energy): skew plus
// negative semi-definite, so the energy can only decrease through −R (and the force).
class LearnedSkewDissipativeImpl : public StructureImpl {
 public:
  LearnedSkewDissipativeImpl(const PeriodicGrid& grid, int64_t radius, bool keeps_mass)
      : S_(register_module("skew", std::make_shared<LearnedStencilImpl>(grid, radius, true))),
        R_(register_module("dissipative",
                           std::make_shared<LearnedStencilImpl>(grid, radius, false, keeps_mass))) {
  }
  at::Tensor apply(const at::Tensor& g) override { return S_->apply(g) + R_->apply(g); }
  at::Tensor matrix() override { return S_->matrix() + R_->matrix(); }
  bool matrix_free() const override { return true; }
  std::string kind() const override { return "learned_skew_dissipative_stencil"; }
  bool conservative() const override { return false; }

 private:
  std::shared_ptr<LearnedStencilImpl> S_, R_;
};

const StructureRegistrar learned_skew_dissipative_entry(
    "learned_skew_dissipative_stencil",
    {"S - R: a learned skew stencil plus a learned -K^T K (model.stencil_radius), phlearn's "
     "pseudo-Hamiltonian operator for one energy; any grid",
     [](const StructureOptions& o) -> Structure {
       return std::make_shared<LearnedSkewDissipativeImpl>(
           grid_of(o, "learned_skew_dissipative_stencil"), o.stencil_radius(),
           o.stencil_keeps_mass());
     }});

StructureRegistrar learned_stencil_entry(const std::string& name, std::string help, bool skew) {
  return StructureRegistrar(
      name, {std::move(help), [name, skew](const StructureOptions& o) -> Structure {
               return std::make_shared<LearnedStencilImpl>(grid_of(o, name), o.stencil_radius(),
                                                           skew, o.stencil_keeps_mass());
             }});
}

const StructureRegistrar learned_skew_stencil_entry = learned_stencil_entry(
    "learned_skew_stencil",
    "learned translation-invariant skew stencil (c_-o = -c_o, model.stencil_radius): "
    "conservative, G unknown, any grid",
    true);
const StructureRegistrar learned_dissipative_stencil_entry = learned_stencil_entry(
    "learned_dissipative_stencil",
    "-K^T K with K a learned stencil (model.stencil_radius): dissipative, G unknown, any grid",
    false);

}  // namespace

}  // namespace enflow::geometry
