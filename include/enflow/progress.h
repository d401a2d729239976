// The one progress report of every long loop in enflow: training, L-BFGS refinement, the
// EVNN, committor, Deep Ritz, VMC, SVGD, mean-field and potential-flow solvers, and data
// generation. Loops fill what they know; printers (the CLI, a Python callback) read it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

namespace enflow {

struct Progress {
  int64_t iteration = 0;   ///< iterations (steps) done
  int64_t iterations = 0;  ///< the total the loop will run (0: not known)
  double loss = 0;         ///< what the loop decreases: loss, objective, discrete energy
  double metric = 0;       ///< a second number, loop-specific (penalty, error bar, bandwidth)
  double seconds = 0;      ///< wall time since the loop started (0: the loop does not time)
  int64_t start = 0;       ///< the iteration the loop started from (> 0 when resumed)
  std::string note{};      ///< a remark on this iteration ("rejected"), usually empty
  /// What the numbers are, for printers: "iter 10/100  loss 0.5  penalty 10".
  const char* what = "iter";
  const char* loss_name = "loss";
  const char* metric_name = "";  ///< "": the loop reports no second number

  /// Iterations per second over this run (0 when the loop does not time itself).
  double rate() const {
    return seconds > 0 ? static_cast<double>(iteration - start) / seconds : 0.0;
  }
  /// Seconds left at the current rate (0 when unknown).
  double eta() const {
    const double r = rate();
    return r > 0 && iterations > iteration ? static_cast<double>(iterations - iteration) / r : 0.0;
  }
};

using ProgressFn = std::function<void(const Progress&)>;

/// f with the names a loop gives its numbers filled in (literals: they are not copied).
inline ProgressFn named(ProgressFn f, const char* what, const char* loss_name,
                        const char* metric_name) {
  if (!f) return nullptr;
  return [f = std::move(f), what, loss_name, metric_name](const Progress& p) {
    Progress q = p;
    q.what = what;
    q.loss_name = loss_name;
    q.metric_name = metric_name;
    f(q);
  };
}

}  // namespace enflow
