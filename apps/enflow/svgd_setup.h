// An SVGD run from a config (`problem.kind = "svgd"`): the target (analytic, Bayesian logistic
// regression, or a trained potential-flow model), the initial particles and the options.
// Shared by `enflow solve` and `enflow sample --config`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "enflow/io/config.h"
#include "enflow/particles/logistic.h"
#include "enflow/particles/potential_flow.h"
#include "enflow/particles/svgd.h"
#include "enflow/particles/targets.h"

namespace enflow::cli::particles_cli {

struct SvgdSetup {
  std::string kind;  ///< target.kind
  int64_t dim = 0;
  particles::LogDensity log_p;
  std::optional<particles::Target> exact;           ///< analytic targets
  std::optional<particles::LogisticData> logistic;  ///< target.kind = "logistic"
  particles::PotentialFlow flow{nullptr};           ///< target.kind = "potential_flow"
  at::Tensor init;                                  ///< [n, d]
  particles::SvgdOptions options;
};

/// Every key an SVGD config may hold (others are typos).
std::vector<std::string> svgd_config_keys();

/// Reads and checks the config; draws the initial particles (global generator, seeded by the
/// caller). Throws std::invalid_argument naming the key on bad input.
SvgdSetup svgd_setup(const io::Config& cfg, const c10::TensorOptions& options);

}  // namespace enflow::cli::particles_cli
