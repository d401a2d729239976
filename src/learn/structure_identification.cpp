// The identification error of a learned structure against the system's G (metrics.h).
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "enflow/learn/metrics.h"

namespace enflow::learn {

double structure_identification_error(models::DynamicsModelImpl& model,
                                      const systems::System& system, int64_t max_dim) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  const auto* es = dynamic_cast<const systems::EnergySystem*>(&system);
  if (!es || model.structure_parameters().empty() || system.dim() > max_dim) return nan;
  torch::NoGradGuard no_grad;
  const auto G = es->structure().to(torch::kCPU, torch::kFloat64);
  const auto L = model.structure_matrix().detach().to(torch::kCPU, torch::kFloat64);
  if (!L.sizes().equals(G.sizes())) return nan;
  const double gg = (G * G).sum().item<double>(), ll = (L * L).sum().item<double>();
  if (gg == 0.0 || ll == 0.0) return ll == 0.0 && gg > 0.0 ? 1.0 : nan;
  // ‖sL − G‖² at the best s = ⟨L, G⟩/‖L‖² is ‖G‖² − ⟨L, G⟩²/‖L‖².
  const double lg = (L * G).sum().item<double>();
  return std::sqrt(std::max(0.0, 1.0 - lg * lg / (ll * gg)));
}

}  // namespace enflow::learn
