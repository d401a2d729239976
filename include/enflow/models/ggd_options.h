// Options of generalized gradient dynamics models (model type "ggd"; see models/ggd.h).
#pragma once

#include <torch/arg.h>

#include <cstdint>
#include <string>
#include <vector>

namespace enflow::models {

struct GgdOptions {
  /// "learned" (S = −ICNN, concave) or "system" (the reference system's entropy).
  TORCH_ARG(std::string, entropy) = "learned";
  /// "learned" (normalized partially input-convex network) or "system".
  TORCH_ARG(std::string, dissipation) = "learned";
  /// Hidden widths of the dense networks (ModelOptions::network "mlp").
  TORCH_ARG(std::vector<int64_t>, entropy_hidden) = std::vector<int64_t>{32, 32};
  TORCH_ARG(std::vector<int64_t>, dissipation_hidden) = std::vector<int64_t>{32, 32};
  /// "linear": S = −ICNN; "softplus": S = −softplus(ICNN) (bounded above by 0).
  TORCH_ARG(std::string, entropy_output) = "linear";
  /// ε ≥ 0: the learned entropy is −ICNN − (ε/2)|x|², strongly concave for ε > 0 (a
  /// maximum exists, so the flow and large implicit steps stay bounded).
  TORCH_ARG(double, entropy_curvature) = 0.0;
  /// "none" or "ideal_mixture": the learned entropy gains −Σᵢ aᵢ (xᵢ ln xᵢ − xᵢ) with
  /// learned aᵢ = softplus(θᵢ) ≥ 0 (one a for grid networks), the ideal-mixture (Boltzmann)
  /// term whose gradient −aᵢ ln xᵢ an ICNN cannot form near xᵢ = 0. Concave for x > 0, so S
  /// stays concave; needs positive states (concentrations, densities).
  TORCH_ARG(std::string, entropy_basis) = "none";
  /// Activation of the x path of the dissipation network (any smooth one).
  TORCH_ARG(std::string, x_activation) = "softplus";
  /// What the learned dissipation network reads as its state argument: "identity" (x) or
  /// "log" (ln x, for positive states: mass-action prefactors are powers of x, i.e.
  /// exponentials of ln x). Ξ may depend on x in any way, so no guarantee changes.
  TORCH_ARG(std::string, x_features) = "identity";
  /// State argument x̄ of Ξ in the discrete-time step: "start" x₀ (the implicit equation
  /// then involves x₁ only through ∇̄S, and Newton converges at much larger steps) or
  /// "midpoint" (x₀ + x₁)/2 (symmetric).
  TORCH_ARG(std::string, xbar) = "start";
  /// Reference system whose entropy or dissipation is prescribed, and its parameters as
  /// "key=value" items separated by spaces (recorded from the dataset by `enflow train`).
  TORCH_ARG(std::string, system) = "";
  TORCH_ARG(std::string, system_params) = "";
};

}  // namespace enflow::models
