#include "enflow/integrators/linear_solver.h"

#include <stdexcept>

namespace enflow::integrators {

LinearSolver resolve_linear_solver(LinearSolver s, int64_t d) {
  if (s != LinearSolver::kAuto) return s;
  return d > kGmresAutoDim ? LinearSolver::kGmres : LinearSolver::kDense;
}

LinearSolver linear_solver_from_string(const std::string& name, const std::string& key) {
  if (name == "auto") return LinearSolver::kAuto;
  if (name == "dense") return LinearSolver::kDense;
  if (name == "gmres") return LinearSolver::kGmres;
  throw std::invalid_argument("unknown " + key + " '" + name + "'; known: auto, dense, gmres");
}

const char* to_string(LinearSolver s) {
  switch (s) {
    case LinearSolver::kDense:
      return "dense";
    case LinearSolver::kGmres:
      return "gmres";
    case LinearSolver::kAuto:
      break;
  }
  return "auto";
}

}  // namespace enflow::integrators
