#include <sstream>
#include <stdexcept>

#include "enflow/systems/system.h"
#include "systems/common.h"

namespace enflow::systems {

std::vector<std::string> system_names() {
  return {"mass-spring", "pendulum",    "two-body",          "kdv",      "cahn-hilliard",
          "particle-1d", "particle-2d", "chemical-kinetics", "diffusion"};
}

std::unique_ptr<System> make_system(const std::string& name, const Params& overrides) {
  if (name == "mass-spring") return detail::make_mass_spring(overrides);
  if (name == "pendulum") return detail::make_pendulum(overrides);
  if (name == "two-body") return detail::make_two_body(overrides);
  if (name == "kdv") return detail::make_kdv(overrides);
  if (name == "cahn-hilliard") return detail::make_cahn_hilliard(overrides);
  if (name == "particle-1d") return detail::make_particle(1, overrides);
  if (name == "particle-2d") return detail::make_particle(2, overrides);
  if (name == "chemical-kinetics") return detail::make_chemical_kinetics(overrides);
  if (name == "diffusion") return detail::make_diffusion(overrides);
  std::ostringstream s;
  s << "unknown system '" << name << "' (known:";
  for (const auto& n : system_names()) s << " " << n;
  s << ")";
  throw std::invalid_argument(s.str());
}

}  // namespace enflow::systems
