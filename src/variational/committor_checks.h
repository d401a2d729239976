// Internal: checks of a trained committor, one per kind of reference, each adding metrics (and
// plots) to the run's report: a closed form (double well, spheres), the finite-volume grid
// (Mueller-Brown), symmetries and the transition path (Ginzburg-Landau), and direct
// simulation (shooting) from chosen points. Used by the committor solver (committor_solver.cpp).
#pragma once

#include <string>
#include <vector>

#include "enflow/run.h"
#include "enflow/variational/committor.h"

namespace enflow::io {
class KeyReader;
}

namespace enflow::variational::detail {

/// rms / max error against problem.exact on 401 points of [-1, 1] (1-D) or 4000 points with
/// |x| uniform in [problem.a, problem.b] (spheres), and the profile plot.
void check_closed_form(const CommittorProblem& p, const CommittorResult& r,
                       const io::KeyReader& config, Report& report);

/// Mueller-Brown (any dim): the 2-D finite-volume reference on reference.grid^2 points, rms
/// errors on sampled points, and contours of V, q and the reference on the (x1, x2) plane.
void check_muller_brown(const CommittorProblem& p, const CommittorResult& r,
                        const io::KeyReader& config, const RunContext& context, Report& report);

/// Ginzburg-Landau: the symmetries q(-u) = 1 - q(u) and q(reversed u) = q(u) on samples,
/// q along the minimum-energy path (mean(u) = -0.4, ..., 0.4) and its plot.
void check_ginzburg_landau(const CommittorProblem& p, const CommittorResult& r,
                           const io::KeyReader& config, const RunContext& context, Report& report);

/// The checks' keys: the direct simulation (both functions above run it when
/// check.shooting_points > 0: from that many points — sampled ones with 0.05 < q < 0.95, or
/// the Ginzburg-Landau path — check.trajectories paths each with step check.dt, at most
/// check.max_steps steps; reports rms and max |q - q_shooting| and the largest deviation in
/// binomial standard errors) and reference.grid.
std::vector<io::KeySpec> check_key_specs();

}  // namespace enflow::variational::detail
