// Step 2: learn dynamics from data. Trajectories of the mass-spring system from its
// reference solver, a DGNet trained on their one-step pairs, and a long prediction by the
// implicit discrete-gradient scheme, which keeps the *learned* energy to rounding.
#include <torch/torch.h>

#include <cstdio>

#include "enflow/enflow.h"

int main() {
  using namespace enflow;
  torch::manual_seed(0);
  auto system = systems::make_system("mass-spring");
  auto protocol = systems::default_protocol("mass-spring");
  protocol.series = 20;
  const auto data = systems::generate_dataset(*system, protocol, /*seed=*/1);
  auto pairs = learn::make_pairs(data, data.train, torch::kFloat64, torch::kCPU);

  auto model = models::make_model(models::ModelOptions().type("dgnet").dim(2).hidden({64, 64}));
  model->to(torch::kFloat64);
  const auto report = learn::train(*model, pairs,
                                   learn::TrainOptions().lr(1e-3).batch(128).iterations(300));
  std::printf("trained %lld iterations, final loss %.3e\n",
              static_cast<long long>(report.iterations), report.final_loss);

  // 200 implicit steps from the first test state; the learned energy along the orbit.
  const auto u0 = data.states[data.test.front()].narrow(0, 0, 1);
  const auto t = torch::arange(201, torch::kFloat64) * protocol.dt;
  const auto orbit = models::rollout(*model, u0, t, models::StepOptions());  // discrete gradient
  const auto H = ad::energy(model->energy_fn(), orbit[0]);
  const double drift = ((H - H[0]).abs().max() / H[0].abs().clamp_min(1e-300)).item<double>();
  std::printf("learned energy along 200 steps: relative drift %.2e\n", drift);
  return drift <= 1e-10 ? 0 : 1;
}
