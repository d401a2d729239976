// An SVGD run from a config (problem.kind = "svgd"): the target (analytic, a Bayesian
// logistic-regression posterior, or a trained potential-flow model), the initial particles and
// the options. Used by the "svgd" solver and by `enflow sample --config`.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/TensorOptions.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "enflow/io/key_spec.h"
#include "enflow/particles/logistic.h"
#include "enflow/particles/potential_flow.h"
#include "enflow/particles/svgd.h"
#include "enflow/particles/targets.h"
#include "enflow/registry.h"

namespace enflow::io {
class Config;
class KeyReader;
}  // namespace enflow::io

namespace enflow::particles {

struct SvgdSetup {
  std::string kind;  ///< target.kind
  int64_t dim = 0;
  LogDensity log_p;
  std::optional<Target> exact;           ///< analytic targets
  std::optional<LogisticData> logistic;  ///< target.kind = "logistic"
  PotentialFlow flow{nullptr};           ///< target.kind = "potential_flow"
  at::Tensor init;                       ///< [n, d]
  SvgdOptions options;                   ///< no progress callback
};

/// The SVGD target table: target.kind → one-line help and what fills the set-up's target
/// (log_p, dim and exact / logistic / flow) from the config, registered in svgd_setup.cpp.
struct SvgdTargetEntry {
  static constexpr const char* kKind = "SVGD target.kind";
  std::string help;
  std::function<void(const io::KeyReader&, const c10::TensorOptions&, SvgdSetup&)> fill;
};
using SvgdTargetRegistry = Registry<SvgdTargetEntry>;
using SvgdTargetRegistrar = Registrar<SvgdTargetEntry>;

/// Every key an SVGD config may hold (others are typos), with types, defaults and help.
std::vector<io::KeySpec> svgd_key_specs();

/// Reads and checks the config; draws the initial particles from the global generator (the
/// caller seeds it: enflow::start_run). Throws std::invalid_argument naming the key on bad
/// input, std::runtime_error on an unknown key.
SvgdSetup svgd_setup(const io::Config& config, const c10::TensorOptions& options);

}  // namespace enflow::particles
