// `enflow reproduce dgnet-table2` and `dgnet-table3`: the DGNet paper's (Matsubara, Ishikawa
// & Yaguchi, NeurIPS 2020) Tables 2 (KdV, Cahn–Hilliard) and 3 (mass-spring, pendulum,
// 2-body, real pendulum) on their protocols, DGNet beside its baselines, with the paper's
// DGNet numbers beside ours. Every row runs `enflow generate` / `train` / `predict` on the
// shipped config (configs/dgnet), so each can be re-run by hand with the commands listed
// in table.md. Metrics as defined in docs/dgnet.md.
#include <string>
#include <vector>

#include "commands.h"
#include "reproduce_dgnet.h"

namespace enflow::cli {
namespace {

using dgnet::Paper;
using dgnet::Row;

std::vector<Row> table2() {
  return {
      {"kdv", "kdv-dgnet", "DGNet (discrete gradient)", {17.48e-3, 1.60e-3, 0.25e-3}},
      {"kdv", "kdv-hnn++", "HNN++ (RK2 / Dormand–Prince)", {}},
      {"cahn-hilliard",
       "cahn-hilliard-dgnet",
       "DGNet (discrete gradient)",
       {7.14, 0.34e-6, 0.07e-3}},
      {"cahn-hilliard", "cahn-hilliard-hnn++", "HNN++ (RK2 / Dormand–Prince)", {}},
  };
}

std::vector<Row> table3() {
  return {
      {"mass-spring", "mass-spring-dgnet", "DGNet (discrete gradient)", {NAN, 0.62e-3, NAN}},
      {"mass-spring", "mass-spring-hnn", "HNN (RK2 / Dormand–Prince)", {}},
      {"mass-spring", "mass-spring-hnn-dopri5", "HNN (Dormand–Prince / Dormand–Prince)", {}},
      {"mass-spring", "mass-spring-srnn", "SRNN (leapfrog)", {}},
      {"mass-spring", "mass-spring-node", "NODE (RK2 / Dormand–Prince)", {}},
      {"pendulum", "pendulum-dgnet", "DGNet (discrete gradient)", {NAN, 10.79e-3, NAN}},
      {"pendulum", "pendulum-hnn", "HNN (RK2 / Dormand–Prince)", {}},
      {"two-body", "two-body-dgnet", "DGNet (discrete gradient)", {NAN, 81.03e-6, NAN}},
      {"two-body", "two-body-hnn", "HNN (RK2 / Dormand–Prince)", {}},
      {"real-pendulum", "real-pendulum-dgnet", "DGNet (discrete gradient)", {NAN, 0.50e-3, NAN}},
      {"real-pendulum", "real-pendulum-hnn", "HNN (RK2 / Dormand–Prince)", {}},
  };
}

// Systems beyond the paper, learned with the same protocol (no published numbers).
std::vector<Row> extensions() {
  return {
      {"double-pendulum", "double-pendulum-dgnet", "DGNet (discrete gradient)", {}},
  };
}

const ReproductionRegistrar reg2(
    "dgnet-table2", "DGNet Table 2: KdV and Cahn–Hilliard, DGNet vs HNN++ (hours on 2 cores)",
    [](const ReproduceOptions& o, const Common& c) {
      return dgnet::run_dgnet_protocol({"dgnet-table2", table2()}, o, c);
    },
    /*resumable=*/true);
const ReproductionRegistrar reg3(
    "dgnet-table3",
    "DGNet Table 3: mass-spring, pendulum, 2-body, real pendulum, DGNet vs HNN, SRNN, NODE",
    [](const ReproduceOptions& o, const Common& c) {
      return dgnet::run_dgnet_protocol({"dgnet-table3", table3()}, o, c);
    },
    /*resumable=*/true);
const ReproductionRegistrar reg_ext(
    "dgnet-extensions",
    "DGNet on systems beyond the paper: the planar double pendulum (no published numbers)",
    [](const ReproduceOptions& o, const Common& c) {
      return dgnet::run_dgnet_protocol({"dgnet-extensions", extensions()}, o, c);
    },
    /*resumable=*/true);

}  // namespace
}  // namespace enflow::cli
