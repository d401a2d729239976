// Structure operators G on periodic grids of 1–3 axes, applied matrix-free by their stencil
// (grid_stencil.h): a state of a 64 × 64 grid has 4096 values, and its dense G would hold
// 16.8 million.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>

#include "enflow/geometry/grid_stencil.h"
#include "enflow/geometry/structure.h"

namespace enflow::geometry {

/// A fixed G given by its stencil. apply() takes gradients [B, *grid] or flattened [B, n]
/// and returns the same shape; matrix() is the dense [n, n] float64 form (small grids only).
class GridStructureImpl : public StructureImpl {
 public:
  GridStructureImpl(GridStencil G, std::string kind, bool conservative,
                    StencilMethod method = StencilMethod::kDefault);
  at::Tensor matrix() override { return G_.matrix(); }
  at::Tensor apply(const at::Tensor& g) override;
  bool matrix_free() const override { return true; }
  std::string kind() const override { return kind_; }
  bool conservative() const override { return conservative_; }
  const GridStencil& stencil() const { return G_; }

 private:
  GridStencil G_;
  std::string kind_;
  bool conservative_;
  StencilMethod method_;
};

/// The grid of StructureOptions (grid, grid_spacing or dx; an empty grid is the 1-D grid of
/// dim points); throws std::invalid_argument naming `structure` when it is invalid.
PeriodicGrid grid_of(const StructureOptions& options, const std::string& structure);

}  // namespace enflow::geometry
