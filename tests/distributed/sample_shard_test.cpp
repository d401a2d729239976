// The sharding helpers of the sample-parallel solvers: shares and seeds, the identity for one
// process, and two ranks on threads whose summed loss must have the value and the gradient
// of the loss over all samples, and whose gathered rows come back in rank order.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <thread>

#include "enflow/distributed/group.h"
#include "enflow/distributed/launch.h"
#include "enflow/distributed/sample_shard.h"
#include "support/local_environment.h"

namespace enflow::distributed {
namespace {

// A least-squares loss over samples (x_i, y_i): a sum over samples, as the solvers' losses.
at::Tensor loss_of(const at::Tensor& w, const at::Tensor& x, const at::Tensor& y) {
  return (torch::matmul(x, w) - y).pow(2).sum();
}

TEST(DistributedSamples, OneProcessIsTheIdentity) {
  EXPECT_EQ(share_of(7, nullptr).count, 7);
  EXPECT_EQ(rank_seed(42, nullptr), 42u);
  auto x = torch::randn({5, 2}, torch::kFloat64);
  EXPECT_TRUE(rows_of_share(x, nullptr).is_same(x));
  EXPECT_TRUE(gather_rows(x, nullptr).is_same(x));
  EXPECT_EQ(sum_over_ranks(2.5, nullptr), 2.5);
  int calls = 0;
  auto loss = summed_over_ranks([&] { return torch::ones({}).mul(++calls); }, {}, nullptr);
  EXPECT_EQ(loss().item<double>(), 1.0);
  EXPECT_EQ(calls, 1);
}

TEST(DistributedSamples, TwoRanksSumLossesAndGradientsAndGatherRows) {
  torch::manual_seed(3);
  const auto opt = torch::TensorOptions().dtype(torch::kFloat64);
  const auto x = torch::randn({5, 3}, opt), y = torch::randn({5}, opt);
  const auto w0 = torch::randn({3}, opt);
  // The one-process loss and gradient over all 5 samples.
  auto w = w0.clone().requires_grad_(true);
  auto full = loss_of(w, x, y);
  full.backward();
  const double full_value = full.item<double>();
  const auto full_grad = w.grad().clone();

  const int port = free_port();
  std::vector<double> values(2);
  std::vector<at::Tensor> grads(2), gathered(2);
  std::vector<Share> shares(2);
  std::vector<uint64_t> seeds(2);
  auto rank = [&](int r) {
    auto g = Group::connect(local_environment(r, 2, port), 30);
    const auto s = share_of(5, g.get());
    shares[static_cast<size_t>(r)] = s;
    seeds[static_cast<size_t>(r)] = rank_seed(42, g.get());
    auto wr = w0.clone().requires_grad_(true);
    auto xr = rows_of_share(x, g.get()), yr = rows_of_share(y, g.get());
    auto loss = summed_over_ranks([&] { return loss_of(wr, xr, yr); }, {wr}, g.get());
    auto l = loss();
    l.backward();  // as the optimizers' closures do
    values[static_cast<size_t>(r)] = l.item<double>();
    grads[static_cast<size_t>(r)] = wr.grad().clone();
    gathered[static_cast<size_t>(r)] = gather_rows(xr, g.get());
    g->barrier();
  };
  std::thread t1(rank, 1);
  rank(0);
  t1.join();
  EXPECT_EQ(shares[0].begin, 0);
  EXPECT_EQ(shares[0].count, 2);
  EXPECT_EQ(shares[1].begin, 2);
  EXPECT_EQ(shares[1].count, 3);
  EXPECT_EQ(seeds[0], 42u);  // rank 0 keeps the one-process stream
  EXPECT_NE(seeds[1], 42u);
  for (int r = 0; r < 2; ++r) {
    EXPECT_NEAR(values[r], full_value, 1e-13 * std::abs(full_value));
    EXPECT_TRUE(torch::allclose(grads[r], full_grad, 1e-13, 1e-13));
    EXPECT_TRUE(torch::equal(gathered[r], x));  // uneven shares, in rank order
  }
  EXPECT_EQ(values[0], values[1]);  // bit-identical on every rank: the same optimizer step
  EXPECT_TRUE(torch::equal(grads[0], grads[1]));
}

// A loss whose every sample sees an integral over all samples (the EVNN volume shift):
// J = Σ_i (x_i·w − V)², V = Σ_j x_j·w. With V a differentiable sum over the ranks, the
// summed loss has the value and gradient of J over all samples.
TEST(DistributedSamples, ADifferentiableSumCarriesEveryRanksDependence) {
  torch::manual_seed(4);
  const auto opt = torch::TensorOptions().dtype(torch::kFloat64);
  const auto x = torch::randn({5, 3}, opt), w0 = torch::randn({3}, opt);
  auto coupled = [](const at::Tensor& w, const at::Tensor& xs, Group* g) {
    auto v = differentiable_sum(torch::matmul(xs, w).sum(), g);
    return (torch::matmul(xs, w) - v).pow(2).sum();
  };
  auto w = w0.clone().requires_grad_(true);
  auto full = coupled(w, x, nullptr);
  full.backward();
  const int port = free_port();
  std::vector<double> values(2);
  std::vector<at::Tensor> grads(2);
  auto rank = [&](int r) {
    auto g = Group::connect(local_environment(r, 2, port), 30);
    auto wr = w0.clone().requires_grad_(true);
    const auto xr = rows_of_share(x, g.get());
    auto loss = summed_over_ranks([&] { return coupled(wr, xr, g.get()); }, {wr}, g.get());
    auto l = loss();
    l.backward();
    values[static_cast<size_t>(r)] = l.item<double>();
    grads[static_cast<size_t>(r)] = wr.grad().clone();
    g->barrier();
  };
  std::thread t1(rank, 1);
  rank(0);
  t1.join();
  for (int r = 0; r < 2; ++r) {
    EXPECT_NEAR(values[r], full.item<double>(), 1e-13 * std::abs(full.item<double>()));
    EXPECT_TRUE(torch::allclose(grads[r], w.grad(), 1e-12, 1e-13)) << grads[r] << w.grad();
  }
  EXPECT_TRUE(torch::equal(grads[0], grads[1]));
}

TEST(DistributedSamples, ASampleCountBelowTheWorldIsRefused) {
  const int port = free_port();
  std::string error;
  auto rank = [&](int r) {
    auto g = Group::connect(local_environment(r, 2, port), 30);
    try {
      share_of(1, g.get(), "particles.n");
    } catch (const std::invalid_argument& e) {
      if (r == 0) error = e.what();
    }
    g->barrier();
  };
  std::thread t1(rank, 1);
  rank(0);
  t1.join();
  EXPECT_NE(error.find("1 particles.n cannot be shared by 2 processes"), std::string::npos)
      << error;
}

}  // namespace
}  // namespace enflow::distributed
