#include "enflow/geometry/grid_stencil.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace enflow::geometry {

namespace {

// Grid axes are the trailing dimensions of a state: dims(-axes ... -1).
std::vector<int64_t> trailing_dims(int64_t axes) {
  std::vector<int64_t> d;
  for (int64_t a = -axes; a < 0; ++a) d.push_back(a);
  return d;
}

int64_t wrap_offset(int64_t o, int64_t n) {
  o %= n;
  if (o < 0) o += n;
  return o > n / 2 ? o - n : o;  // (−n/2, n/2]
}

}  // namespace

PeriodicGrid::PeriodicGrid(std::vector<int64_t> s, std::vector<double> h)
    : sizes(std::move(s)), spacing(std::move(h)) {
  if (sizes.empty() || sizes.size() > 3)
    throw std::invalid_argument("periodic grid: 1, 2 or 3 axes, got " +
                                std::to_string(sizes.size()));
  if (spacing.size() == 1) spacing.assign(sizes.size(), spacing[0]);
  if (spacing.size() != sizes.size())
    throw std::invalid_argument("periodic grid: one spacing, or one per axis (" +
                                std::to_string(sizes.size()) + "), got " +
                                std::to_string(spacing.size()));
  for (size_t a = 0; a < sizes.size(); ++a) {
    if (sizes[a] < 3)
      throw std::invalid_argument("periodic grid: every axis needs at least 3 points, axis " +
                                  std::to_string(a) + " has " + std::to_string(sizes[a]));
    if (!(spacing[a] > 0))
      throw std::invalid_argument("periodic grid: the spacing of axis " + std::to_string(a) +
                                  " must be > 0");
  }
}

PeriodicGrid::PeriodicGrid(std::vector<int64_t> s, double h)
    : PeriodicGrid(std::move(s), std::vector<double>{h}) {}

int64_t PeriodicGrid::points() const {
  int64_t n = 1;
  for (auto s : sizes) n *= s;
  return n;
}

int64_t PeriodicGrid::axis_of(int64_t direction) const {
  if (direction < 0 || direction >= axes()) {
    const std::string name = direction >= 0 && direction < 3 ? std::string(1, "xyz"[direction])
                                                             : "#" + std::to_string(direction);
    throw std::invalid_argument("periodic grid: a " + std::to_string(axes()) +
                                "-axis grid has no direction " + name);
  }
  return axes() - 1 - direction;
}

GridStencil::GridStencil(PeriodicGrid grid) : grid_(std::move(grid)) {}

void GridStencil::add(std::vector<int64_t> offset, double c) {
  for (size_t a = 0; a < offset.size(); ++a) offset[a] = wrap_offset(offset[a], grid_.sizes[a]);
  auto& v = c_[offset];
  v += c;
  if (v == 0.0) c_.erase(offset);
}

GridStencil GridStencil::identity(const PeriodicGrid& grid) {
  GridStencil s(grid);
  s.add(std::vector<int64_t>(grid.sizes.size(), 0), 1.0);
  return s;
}

GridStencil GridStencil::central_difference(const PeriodicGrid& grid, int64_t direction) {
  const auto a = static_cast<size_t>(grid.axis_of(direction));
  GridStencil s(grid);
  std::vector<int64_t> e(grid.sizes.size(), 0);
  e[a] = 1;
  s.add(e, 0.5 / grid.spacing[a]);
  e[a] = -1;
  s.add(e, -0.5 / grid.spacing[a]);
  return s;
}

GridStencil GridStencil::laplacian(const PeriodicGrid& grid) {
  GridStencil s(grid);
  for (size_t a = 0; a < grid.sizes.size(); ++a) {
    const double w = 1.0 / (grid.spacing[a] * grid.spacing[a]);
    std::vector<int64_t> e(grid.sizes.size(), 0);
    s.add(e, -2.0 * w);
    e[a] = 1;
    s.add(e, w);
    e[a] = -1;
    s.add(e, w);
  }
  return s;
}

void GridStencil::check_same_grid(const GridStencil& other, const char* what) const {
  if (other.grid_.sizes != grid_.sizes || other.grid_.spacing != grid_.spacing)
    throw std::invalid_argument(std::string("grid stencil ") + what +
                                ": the operators live on different grids");
}

GridStencil GridStencil::operator*(const GridStencil& other) const {
  check_same_grid(other, "composition");
  // (A B u)_i = Σ_o a_o Σ_q b_q u_{i+o+q}: offsets add, coefficients multiply.
  GridStencil r(grid_);
  for (const auto& [o, a] : c_) {
    for (const auto& [q, b] : other.c_) {
      auto sum = o;
      for (size_t k = 0; k < sum.size(); ++k) sum[k] += q[k];
      r.add(sum, a * b);
    }
  }
  return r;
}

GridStencil GridStencil::operator+(const GridStencil& other) const {
  check_same_grid(other, "sum");
  GridStencil r = *this;
  for (const auto& [o, c] : other.c_) r.add(o, c);
  return r;
}

GridStencil GridStencil::operator-(const GridStencil& other) const { return *this + other * -1.0; }

GridStencil GridStencil::operator*(double c) const {
  GridStencil r(grid_);
  for (const auto& [o, v] : c_) r.add(o, v * c);
  return r;
}

GridStencil GridStencil::transpose() const {
  GridStencil r(grid_);
  for (const auto& [o, v] : c_) {
    auto negated = o;
    for (auto& k : negated) k = -k;
    r.add(negated, v);
  }
  return r;
}

at::Tensor GridStencil::apply(const at::Tensor& u, StencilMethod method) const {
  const auto axes = grid_.axes();
  bool ok = u.defined() && u.dim() >= axes;
  for (int64_t a = 0; ok && a < axes; ++a) ok = u.size(u.dim() - axes + a) == grid_.sizes[a];
  if (!ok) {
    std::string want;
    for (auto s : grid_.sizes) want += (want.empty() ? "" : ", ") + std::to_string(s);
    throw std::invalid_argument("grid stencil: the state must end in the grid's sizes [..., " +
                                want + "]");
  }
  if (method == StencilMethod::kDefault) method = StencilMethod::kStencil;
  return method == StencilMethod::kFft ? apply_by_fft(u) : apply_by_roll(u);
}

at::Tensor GridStencil::apply_by_roll(const at::Tensor& u) const {
  const auto dims = trailing_dims(grid_.axes());
  at::Tensor out;
  for (const auto& [o, c] : c_) {
    // roll(u, s)_i = u_{i−s}: the shift −o gives u_{i+o}.
    std::vector<int64_t> shifts, rdims;
    for (size_t a = 0; a < o.size(); ++a) {
      if (o[a] == 0) continue;
      shifts.push_back(-o[a]);
      rdims.push_back(dims[a]);
    }
    auto shifted = shifts.empty() ? u : torch::roll(u, shifts, rdims);
    out = out.defined() ? out.add_(shifted, c) : shifted * c;  // one pass per coefficient
  }
  return out.defined() ? out : torch::zeros_like(u);
}

at::Tensor GridStencil::symbol(const at::TensorOptions& real_options) const {
  // A u = h ⊛ u with the impulse response h_{−o} = c_o, so its transform multiplies û.
  std::vector<double> h(static_cast<size_t>(grid_.points()), 0.0);
  for (const auto& [o, c] : c_) {
    int64_t flat = 0;
    for (size_t a = 0; a < o.size(); ++a) {
      const int64_t n = grid_.sizes[a];
      flat = flat * n + ((-o[a]) % n + n) % n;
    }
    h[static_cast<size_t>(flat)] += c;
  }
  auto ht = torch::tensor(h, torch::kFloat64).reshape(grid_.sizes).to(real_options);
  return torch::fft::rfftn(ht, grid_.sizes, trailing_dims(grid_.axes()));
}

at::Tensor GridStencil::apply_by_fft(const at::Tensor& u) const {
  const auto dims = trailing_dims(grid_.axes());
  auto uh = torch::fft::rfftn(u, grid_.sizes, dims);
  return torch::fft::irfftn(uh * symbol(u.options()), grid_.sizes, dims);
}

at::Tensor GridStencil::matrix() const {
  const int64_t n = grid_.points();
  if (n > 4096)
    throw std::invalid_argument("grid stencil: a dense matrix of " + std::to_string(n) +
                                " grid points is too large; apply the stencil instead");
  std::vector<int64_t> shape{n};
  shape.insert(shape.end(), grid_.sizes.begin(), grid_.sizes.end());
  // Row j of the result is A e_j, the j-th column of A.
  auto cols = apply_by_roll(torch::eye(n, torch::kFloat64).reshape(shape));
  return cols.reshape({n, n}).t().contiguous();
}

}  // namespace enflow::geometry
