// The distributed layer inside one test process: the rendezvous variables, a world of one
// (which must train exactly as no group at all), and two ranks on threads whose bucketed
// gradient sums are checked against the plain sums.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <string>
#include <thread>

#include "enflow/distributed/environment.h"
#include "enflow/distributed/gradient_overlap.h"
#include "enflow/distributed/group.h"
#include "enflow/distributed/launch.h"
#include "enflow/learn/trainer.h"
#include "enflow/models/model.h"
#include "support/local_environment.h"
#include "support/oscillator.h"

namespace enflow::distributed {
namespace {

Environment env_of(const std::map<std::string, std::string>& vars) {
  return environment_from([&](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

std::string error_of(const std::map<std::string, std::string>& vars) {
  try {
    env_of(vars);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(DistributedEnvironment, ReadsTorchrunAndSlurmAndRefusesInconsistentValues) {
  EXPECT_EQ(env_of({}).world_size, 1);
  const auto e = env_of({{"RANK", "1"},
                         {"WORLD_SIZE", "4"},
                         {"LOCAL_RANK", "1"},
                         {"MASTER_ADDR", "10.0.0.1"},
                         {"MASTER_PORT", "29400"}});
  EXPECT_EQ(e.rank, 1);
  EXPECT_EQ(e.world_size, 4);
  EXPECT_EQ(e.local_rank, 1);
  EXPECT_EQ(e.master_addr, "10.0.0.1");
  EXPECT_EQ(e.master_port, 29400);
  const auto s = env_of({{"SLURM_PROCID", "3"},
                         {"SLURM_NTASKS", "8"},
                         {"SLURM_LOCALID", "1"},
                         {"MASTER_ADDR", "node0"},
                         {"MASTER_PORT", "29500"}});
  EXPECT_EQ(s.rank, 3);
  EXPECT_EQ(s.world_size, 8);
  EXPECT_EQ(s.local_rank, 1);
  EXPECT_NE(error_of({{"WORLD_SIZE", "2"}}).find("RANK is unset"), std::string::npos);
  EXPECT_NE(error_of({{"RANK", "2"}, {"WORLD_SIZE", "2"}}).find("outside"), std::string::npos);
  EXPECT_NE(error_of({{"RANK", "x"}, {"WORLD_SIZE", "2"}}).find("RANK='x'"), std::string::npos);
  EXPECT_NE(error_of({{"RANK", "0"},
                      {"WORLD_SIZE", "2"},
                      {"MASTER_ADDR", "127.0.0.1"},
                      {"MASTER_PORT", "70000"}})
                .find("MASTER_PORT"),
            std::string::npos);
  // torchrun's agent serves the store: rank 0 joins it as a client.
  EXPECT_FALSE(e.agent_store);
  EXPECT_TRUE(env_of({{"RANK", "0"},
                      {"WORLD_SIZE", "2"},
                      {"MASTER_ADDR", "127.0.0.1"},
                      {"MASTER_PORT", "29400"},
                      {"TORCHELASTIC_USE_AGENT_STORE", "True"}})
                  .agent_store);
  // A world of one needs no rendezvous address.
  EXPECT_EQ(env_of({{"RANK", "0"}, {"WORLD_SIZE", "1"}}).world_size, 1);
}

TEST(DistributedGroup, AWorldOfOneTrainsAsNoGroup) {
  auto g = Group::connect(local_environment(0, 1, free_port()), 30);
  EXPECT_EQ(g->backend(), "gloo");
  EXPECT_EQ(g->allreduce_sum({1.5, -2.0}), (std::vector<double>{1.5, -2.0}));
  auto data = testing::oscillator_dataset(6, 20, 0.1);
  auto pairs = learn::make_pairs(data, data.train, torch::kFloat64, torch::kCPU);
  auto run = [&](std::shared_ptr<Group> group) {
    torch::manual_seed(0);
    auto m = models::make_model(models::ModelOptions().type("dgnet").dim(2).hidden({8, 8}));
    m->to(torch::kFloat64);
    learn::train(*m, pairs,
                 learn::TrainOptions().batch(8).iterations(20).log_every(0).group(group));
    return torch::cat(
        [&] {
          std::vector<at::Tensor> v;
          for (const auto& p : m->parameters()) v.push_back(p.detach().reshape({-1}));
          return v;
        }(),
        0);
  };
  const auto a = run(nullptr), b = run(g);
  EXPECT_LE((a - b).abs().max().item<double>(), 1e-12 * a.abs().max().item<double>());
  EXPECT_GT(g->traffic().collectives, 20);
}

TEST(DistributedGroup, TwoRanksSumGradientsBucketByBucket) {
  const int port = free_port();
  std::vector<at::Tensor> grads0, grads1;
  std::vector<std::vector<double>> sums(2);
  std::vector<bool> unused_grad(2, true);
  auto rank = [&](int r) {
    auto g = Group::connect(local_environment(r, 2, port), 30);
    // Three parameters, one without a gradient anywhere; 16-byte buckets split them.
    std::vector<at::Tensor> ps{torch::zeros({3}, torch::kFloat64), torch::zeros({2, 2}),
                               torch::zeros({4}, torch::kFloat64)};
    ps[0].mutable_grad() = torch::full({3}, 1.0 + r, torch::kFloat64);
    ps[1].mutable_grad() = torch::arange(4, torch::kFloat32).reshape({2, 2}) * (r + 1);
    ps[2].detach().copy_(torch::full({4}, 10.0 * (r + 1), torch::kFloat64));
    g->broadcast({ps[2]});
    g->allreduce_gradients(ps, 16);
    (r == 0 ? grads0 : grads1) = {ps[0].grad(), ps[1].grad(), ps[2]};
    unused_grad[static_cast<size_t>(r)] = !ps[2].grad().defined();
    sums[static_cast<size_t>(r)] = g->allreduce_sum({static_cast<double>(r), 1.0});
    g->barrier();
  };
  std::thread t1(rank, 1);
  rank(0);
  t1.join();
  for (const auto* gs : {&grads0, &grads1}) {
    EXPECT_TRUE(torch::equal((*gs)[0], torch::full({3}, 3.0, torch::kFloat64)));
    EXPECT_TRUE(torch::equal((*gs)[1], torch::arange(4, torch::kFloat32).reshape({2, 2}) * 3));
    EXPECT_TRUE(torch::equal((*gs)[2], torch::full({4}, 10.0, torch::kFloat64)));  // rank 0's
  }
  EXPECT_TRUE(unused_grad[0] && unused_grad[1]);
  EXPECT_EQ(sums[0], (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(sums[1], sums[0]);
}

// A two-layer network's gradients summed while backward runs: equal to the sequential
// bucketed sum bit for bit, and to the gradient of the whole batch in one process.
TEST(DistributedGroup, TwoRanksOverlapTheAllreduceWithTheBackwardPass) {
  torch::manual_seed(5);
  const auto o = torch::TensorOptions().dtype(torch::kFloat64);
  const auto x = torch::randn({6, 3}, o), w1 = torch::randn({4, 3}, o), b1 = torch::randn({4}, o),
             w2 = torch::randn({1, 4}, o);
  // `unused` gets no gradient: listed first, it falls in the last bucket (buckets follow the
  // reverse order), so the others can start during the backward pass.
  auto params = [&] {
    std::vector<at::Tensor> ps{torch::zeros({2}, o), w1.clone(), b1.clone(), w2.clone()};
    for (auto& p : ps) p.requires_grad_(true);
    return ps;
  };
  auto loss_of = [](const std::vector<at::Tensor>& ps, const at::Tensor& xs) {
    return torch::tanh(torch::matmul(xs, ps[1].t()) + ps[2]).matmul(ps[3].t()).pow(2).sum();
  };
  auto full = params();
  loss_of(full, x).backward();
  const int port = free_port();
  std::vector<std::vector<at::Tensor>> overlapped(2), sequential(2);
  std::vector<int64_t> early(2), buckets(2);
  std::vector<bool> unused_grad(2);
  auto rank = [&](int r) {
    auto g = Group::connect(local_environment(r, 2, port), 30);
    const auto xs = x.narrow(0, 3 * r, 3);
    auto ps = params();
    {
      GradientOverlap overlap(ps, *g, 40);    // 40 bytes: w2, b1, w1 and unused each alone
      for (int pass = 0; pass < 2; ++pass) {  // re-armed after finish()
        for (auto& p : ps) p.mutable_grad() = at::Tensor();
        loss_of(ps, xs).backward();
        overlap.finish();
      }
      early[static_cast<size_t>(r)] = overlap.started_early();
      buckets[static_cast<size_t>(r)] = overlap.buckets();
    }
    for (const auto& p : ps) overlapped[static_cast<size_t>(r)].push_back(p.grad());
    unused_grad[static_cast<size_t>(r)] = !ps[0].grad().defined();
    auto qs = params();
    loss_of(qs, xs).backward();  // no hooks left: the sequential path
    g->allreduce_gradients(qs, 40);
    for (const auto& p : qs) sequential[static_cast<size_t>(r)].push_back(p.grad());
    g->barrier();
  };
  std::thread t1(rank, 1);
  rank(0);
  t1.join();
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(buckets[r], 4);
    EXPECT_EQ(early[r], 6);  // 3 of the 4 buckets in each of the 2 passes
    EXPECT_TRUE(unused_grad[r]);
    for (size_t i = 1; i < 4; ++i) {
      EXPECT_TRUE(torch::equal(overlapped[r][i], sequential[r][i])) << "parameter " << i;
      EXPECT_TRUE(torch::allclose(overlapped[r][i], full[i].grad(), 1e-14, 1e-14));
    }
  }
}

}  // namespace
}  // namespace enflow::distributed
