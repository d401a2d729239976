// Tensors as the plot types of enflow/io/plot.h: point clouds and values on a square grid
// (plot.h itself stays free of ATen).
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/TensorOptions.h>

#include <cstdint>
#include <string>

#include "enflow/io/plot.h"

namespace enflow::io {

/// Points [N, >= 2] (the first two columns) as a plotted cloud.
PointSet point_set(const std::string& name, const at::Tensor& xy, const std::string& color,
                   double size = 0.4);

/// The (n·n, 2) points of an n × n grid on [−box, box]², rows along y (the order of a
/// Heatmap's values).
at::Tensor grid_points(double box, int64_t n, const c10::TensorOptions& options);

/// Values [n·n] on grid_points(box, n, ...) as a heatmap on [−box, box]².
Heatmap grid_heatmap(const at::Tensor& values, double box, int64_t n);

}  // namespace enflow::io
