#include "enflow/geometry/grid_operators.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace enflow::geometry {

namespace {

void check_grid(const char* what, int64_t n, double dx) {
  if (n < 3)
    throw std::invalid_argument(std::string(what) + " needs at least 3 grid points, got " +
                                std::to_string(n));
  if (!(dx > 0)) throw std::invalid_argument(std::string(what) + " needs a grid spacing dx > 0");
}

torch::Tensor identity(int64_t n) { return torch::eye(n, torch::kFloat64); }
// Periodic shift matrix: (P u)_k = u_{k+1}.
torch::Tensor shift(int64_t n) { return torch::roll(identity(n), 1, 1); }

}  // namespace

at::Tensor central_difference(int64_t n, double dx) {
  check_grid("central difference", n, dx);
  auto P = shift(n);
  return (P - P.t()) / (2.0 * dx);
}

at::Tensor forward_difference(int64_t n, double dx) {
  check_grid("forward difference", n, dx);
  return (shift(n) - identity(n)) / dx;
}

at::Tensor second_difference(int64_t n, double dx) {
  check_grid("second difference", n, dx);
  auto P = shift(n);
  return (P + P.t() - 2.0 * identity(n)) / (dx * dx);
}

}  // namespace enflow::geometry
