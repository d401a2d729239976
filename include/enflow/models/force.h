// The external force f of du/dt = G∇H + f (phlearn's pseudo-Hamiltonian form): which kind a
// model has. Strings appear only at the config key `model.force` (parse_force_kind).
#pragma once

#include <string>
#include <vector>

namespace enflow::models {

enum class ForceKind {
  kNone,      ///< "none": du/dt = G∇H
  kConstant,  ///< "learned": a learned field f ∈ ℝᵈ, constant in time and state
  kNetwork,   ///< "learned_xt": a learned f(x, t), phlearn's pointwise force network
  kGiven,     ///< "given": the reference system's known force f(x) (not trained)
};

/// "none" | "learned" | "learned_xt" | "given"; throws std::invalid_argument naming
/// model.force and the known kinds.
ForceKind parse_force_kind(const std::string& name);
std::string force_kind_name(ForceKind kind);
/// The kinds' config names, in the enum's order.
const std::vector<std::string>& force_kind_names();

}  // namespace enflow::models
