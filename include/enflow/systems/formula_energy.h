// A user's own energy for the metrics and plots of data enflow did not generate (issue 28):
// a formula in the state's components, parsed by muParser (Debian's libmuparser-dev).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "enflow/systems/system.h"

namespace enflow::systems {

/// A System whose one invariant, "energy", is `formula` evaluated at each state — so that
/// evaluate / predict report energy_mse and plot the energy for imported records. Variables:
/// u0 … u{D−1}; for even D also q1 … qn, p1 … pn (and q, p when D = 2); the dataset's
/// parameters (`import --param k=2.4`) as constants; muParser's functions (sin, cos, exp,
/// sqrt, ^, ...). It has no dynamics: time_derivative and the solver throw. Throws
/// std::invalid_argument "data.energy: <parser message> in '<formula>'" for a bad formula,
/// and when enflow was built without muParser.
std::unique_ptr<System> formula_energy_system(const std::string& formula, int64_t dim,
                                              const Params& params);

}  // namespace enflow::systems
