// Checks of a trained committor, one per kind of reference, each adding metrics (and plots)
// to the run's report: a closed form (double well, spheres), the finite-volume grid
// (Mueller-Brown), symmetries and the transition path (Ginzburg-Landau), and direct
// simulation (shooting) from chosen points.
#pragma once

#include <string>
#include <vector>

#include "enflow/io/config.h"
#include "enflow/variational/committor.h"
#include "variational_report.h"

namespace enflow::cli::variational_cli {

/// rms / max error against problem.exact on 401 points of [-1, 1] (1-D) or 4000 points with
/// |x| uniform in [problem.a, problem.b] (spheres), and the profile plot.
void check_closed_form(const variational::CommittorProblem& p,
                       const variational::CommittorResult& r, const io::Config& cfg,
                       RunReport& report);

/// Mueller-Brown (any dim): the 2-D finite-volume reference on reference.grid^2 points, rms
/// errors on sampled points, and contours of V, q and the reference on the (x1, x2) plane.
void check_muller_brown(const variational::CommittorProblem& p,
                        const variational::CommittorResult& r, const io::Config& cfg,
                        const Common& common, RunReport& report);

/// Ginzburg-Landau: the symmetries q(-u) = 1 - q(u) and q(reversed u) = q(u) on samples,
/// q along the minimum-energy path (mean(u) = -0.4, ..., 0.4) and its plot.
void check_ginzburg_landau(const variational::CommittorProblem& p,
                           const variational::CommittorResult& r, const io::Config& cfg,
                           const Common& common, RunReport& report);

/// Config keys of the direct-simulation check (both functions above run it when
/// check.shooting_points > 0): from that many points (sampled ones with 0.05 < q < 0.95, or
/// the Ginzburg-Landau path), check.trajectories paths each with step check.dt, at most
/// check.max_steps steps; reports rms and max |q - q_shooting| and the largest deviation in
/// binomial standard errors.
std::vector<std::string> shooting_keys();

}  // namespace enflow::cli::variational_cli
