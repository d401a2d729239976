#include "enflow/io/plot_data.h"

#include <torch/torch.h>

namespace enflow::io {

PointSet point_set(const std::string& name, const at::Tensor& xy, const std::string& color,
                   double size) {
  auto p = xy.detach().to(torch::kCPU, torch::kDouble).contiguous();
  PointSet s{name, {}, {}, color, size};
  for (int64_t i = 0; i < p.size(0); ++i) {
    s.x.push_back(p[i][0].item<double>());
    s.y.push_back(p[i][1].item<double>());
  }
  return s;
}

at::Tensor grid_points(double box, int64_t n, const c10::TensorOptions& options) {
  auto c = torch::linspace(-box, box, n, options);
  auto mesh = torch::meshgrid({c, c}, "ij");  // mesh[0] varies along rows: y
  return torch::stack({mesh[1].reshape({-1}), mesh[0].reshape({-1})}, 1);
}

Heatmap grid_heatmap(const at::Tensor& values, double box, int64_t n) {
  auto v = values.detach().to(torch::kCPU, torch::kDouble).reshape({n, n}).contiguous();
  Heatmap h;
  h.x0 = h.y0 = -box;
  h.x1 = h.y1 = box;
  h.values.assign(n, std::vector<double>(n));
  const double* p = v.data_ptr<double>();
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < n; ++c) h.values[r][c] = p[r * n + c];
  return h;
}

}  // namespace enflow::io
