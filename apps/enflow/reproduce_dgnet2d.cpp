// `enflow reproduce dgnet-2d` (issue 31): DGNet beyond the paper's 1-D grids, as its journal
// extension (Matsubara, Aoshima, Ishikawa & Yaguchi, IEEE TNNLS 36(8), 2025) runs it — a 2-D
// KdV-type equation (here Zakharov–Kuznetsov, decision 89) and 2-D Cahn–Hilliard, DGNet
// with the true G and with G learned as a stencil, against HNN++ and NODE — plus the
// identification rows: a learned stencil against the true G on the 1-D KdV and
// Cahn–Hilliard data of Table 2. The TNNLS paper's protocol and numbers were not available
// here (decision 98): the grids and protocols are enflow's defaults (docs/grids.md) and
// the metrics those of the NeurIPS paper's Table 2. Only data: reproduce_dgnet_runner.cpp
// runs it.
#include <string>
#include <vector>

#include "commands.h"
#include "reproduce_dgnet.h"

namespace enflow::cli {
namespace {

dgnet::Protocol dgnet_2d() {
  dgnet::Protocol p(
      "dgnet-2d",
      {
          {"zakharov-kuznetsov", "zakharov-kuznetsov-dgnet", "DGNet, G = D_x given", {}},
          {"zakharov-kuznetsov",
           "zakharov-kuznetsov-dgnet-learned",
           "DGNet, G learned (skew stencil)",
           {}},
          {"zakharov-kuznetsov", "zakharov-kuznetsov-hnn++", "HNN++ (RK2 / Dormand–Prince)", {}},
          {"zakharov-kuznetsov", "zakharov-kuznetsov-node", "NODE (RK2 / Dormand–Prince)", {}},
          {"cahn-hilliard-2d", "cahn-hilliard-2d-dgnet", "DGNet, G = Δ given", {}},
          {"cahn-hilliard-2d",
           "cahn-hilliard-2d-dgnet-learned",
           "DGNet, G learned (dissipative stencils)",
           {}},
          {"cahn-hilliard-2d", "cahn-hilliard-2d-hnn++", "HNN++ (RK2 / Dormand–Prince)", {}},
          {"cahn-hilliard-2d", "cahn-hilliard-2d-node", "NODE (RK2 / Dormand–Prince)", {}},
          // Identification on the 1-D Table 2 data (true G: D/dx and D2/dx).
          {"kdv", "kdv-dgnet-learned", "DGNet, G learned (skew stencil)", {}},
          {"cahn-hilliard",
           "cahn-hilliard-dgnet-learned",
           "DGNet, G learned (dissipative stencil)",
           {}},
      });
  // --quick: a few short series per system (the 16 x 16 reference schemes solve a dense
  // 256 x 256 Newton system per step).
  for (const char* s : {"zakharov-kuznetsov", "cahn-hilliard-2d"})
    p.generate_quick[s] = {"--series", "5", "--steps", "20"};
  // Small networks and batches under --quick, so the ten rows take about a minute.
  p.quick_set = {"train.iterations=30", "train.batch=32", "model.channels=16"};
  return p;
}

const ReproductionRegistrar reg_2d(
    "dgnet-2d",
    "DGNet on 2-D grids (Zakharov–Kuznetsov, Cahn–Hilliard): given and learned G vs HNN++, "
    "NODE; learned-stencil identification error on 1-D KdV and Cahn–Hilliard",
    [](const ReproduceOptions& o, const Common& c) {
      return dgnet::run_dgnet_protocol(dgnet_2d(), o, c);
    },
    /*resumable=*/true);

}  // namespace
}  // namespace enflow::cli
