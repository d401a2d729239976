// Step 1: the discrete gradient of an energy network. For any two states u, v it satisfies
// H(u) − H(v) = ∇̄H(u, v)·(u − v) exactly (to rounding), which is what makes an implicit
// scheme conserve the network's energy.
#include <torch/torch.h>

#include <cstdio>

#include "enflow/enflow.h"

int main() {
  using namespace enflow;
  torch::manual_seed(0);
  auto net = nn::make_mlp_energy(nn::MlpOptions(2).hidden({64, 64}));  // tanh, orthogonal init
  net->to(torch::kFloat64);
  auto u = torch::randn({8, 2}, torch::kFloat64), v = torch::randn({8, 2}, torch::kFloat64);
  const auto r = ad::discrete_gradient(net->fn(), u, v);
  const auto chain = (r.H_u - r.H_v - (r.dgrad * (u - v)).sum(1)).abs().max().item<double>();
  const auto scale = r.H_u.abs().max().item<double>();
  std::printf("discrete chain rule: max |H(u) - H(v) - dgrad.(u - v)| = %.2e (|H| ~ %.2e)\n",
              chain, scale);
  // At u = v the discrete gradient is the gradient.
  const auto same = ad::discrete_gradient(net->fn(), u, u);
  const auto grad = ad::gradient(net->fn(), u);
  std::printf("consistency:         max |dgrad(u, u) - grad(u)| = %.2e\n",
              (same.dgrad - grad).abs().max().item<double>());
  return chain <= 1e-12 * std::max(1.0, scale) ? 0 : 1;
}
