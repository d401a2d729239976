#include "enflow/geometry/grid_structure.h"

#include <torch/torch.h>

#include <stdexcept>
#include <utility>

namespace enflow::geometry {

GridStructureImpl::GridStructureImpl(GridStencil G, std::string kind, bool conservative,
                                     StencilMethod method)
    : G_(std::move(G)), kind_(std::move(kind)), conservative_(conservative), method_(method) {}

at::Tensor GridStructureImpl::apply(const at::Tensor& g) {
  const auto& sizes = G_.grid().sizes;
  // Flattened states [B, n] (how models hold them) go through the grid's shape.
  if (g.dim() == 2 && G_.grid().axes() > 1 && g.size(1) == G_.grid().points()) {
    std::vector<int64_t> shape{g.size(0)};
    shape.insert(shape.end(), sizes.begin(), sizes.end());
    return G_.apply(g.reshape(shape), method_).reshape(g.sizes());
  }
  return G_.apply(g, method_);
}

namespace {
PeriodicGrid grid_of_options(const StructureOptions& o) {
  if (o.grid().empty()) return PeriodicGrid({o.dim()}, o.dx());  // a 1-D grid of the state
  return PeriodicGrid(o.grid(),
                      o.grid_spacing().empty() ? std::vector<double>{o.dx()} : o.grid_spacing());
}
}  // namespace

PeriodicGrid grid_of(const StructureOptions& o, const std::string& structure) {
  try {
    return grid_of_options(o);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("structure '" + structure + "': " + e.what());
  }
}

namespace {

// Registers a grid structure built from the grid by `make`.
StructureRegistrar grid_entry(const std::string& name, std::string help, bool conservative,
                              GridStencil (*make)(const PeriodicGrid&)) {
  return StructureRegistrar(
      name, {std::move(help), [name, conservative, make](const StructureOptions& o) -> Structure {
               try {
                 return std::make_shared<GridStructureImpl>(make(grid_of_options(o)), name,
                                                            conservative);
               } catch (const std::invalid_argument& e) {
                 throw std::invalid_argument("structure '" + name + "': " + e.what());
               }
             }});
}

GridStencil grid_dx(const PeriodicGrid& g) { return GridStencil::central_difference(g, 0); }
GridStencil grid_dy(const PeriodicGrid& g) { return GridStencil::central_difference(g, 1); }
GridStencil grid_dz(const PeriodicGrid& g) { return GridStencil::central_difference(g, 2); }
GridStencil grid_laplacian(const PeriodicGrid& g) { return GridStencil::laplacian(g); }
// ∂x commutes with Δ (both are translation-invariant), so ∂x Δ is skew.
GridStencil grid_dx_laplacian(const PeriodicGrid& g) {
  return GridStencil::central_difference(g, 0) * GridStencil::laplacian(g);
}
GridStencil grid_minus_identity(const PeriodicGrid& g) { return GridStencil::identity(g) * -1.0; }

const StructureRegistrar grid_dx_entry =
    grid_entry("grid_dx", "central difference along x (last axis) on a periodic grid: conservative",
               true, grid_dx);
const StructureRegistrar grid_dy_entry = grid_entry(
    "grid_dy", "central difference along y (second-last axis) on a periodic grid: conservative",
    true, grid_dy);
const StructureRegistrar grid_dz_entry =
    grid_entry("grid_dz", "central difference along z (first axis of a 3-D grid): conservative",
               true, grid_dz);
const StructureRegistrar grid_laplacian_entry =
    grid_entry("grid_laplacian",
               "five/seven-point Laplacian (<= 0) on a periodic grid: dissipative (Cahn-Hilliard)",
               false, grid_laplacian);
const StructureRegistrar grid_dx_laplacian_entry =
    grid_entry("grid_dx_laplacian", "d/dx of the Laplacian on a periodic grid: conservative", true,
               grid_dx_laplacian);
const StructureRegistrar grid_gradient_flow_entry =
    grid_entry("grid_gradient_flow", "-I on a periodic grid: L2 gradient flow (Allen-Cahn)", false,
               grid_minus_identity);

}  // namespace

}  // namespace enflow::geometry
