#include "enflow/particles/mean_field.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include "support/threads.h"

namespace enflow::particles {
namespace {

torch::Tensor teacher() {
  // Three neurons (a, w₁, w₂) in 2-D.
  return torch::tensor({{2.0, 1.0, 0.0}, {1.5, -0.5, 0.9}, {-1.0, -0.4, -0.9}}, torch::kDouble);
}

TEST(MeanField, TwoLayerNetworkIsTheParticleAverage) {
  testing::OneThread one_thread;
  torch::manual_seed(10);
  auto th = torch::randn({5, 3}, torch::kDouble);
  auto x = torch::randn({4, 2}, torch::kDouble);
  auto f = two_layer(th, x, "tanh");
  for (int64_t n = 0; n < 4; ++n) {
    double expect = 0;
    for (int64_t j = 0; j < 5; ++j)
      expect +=
          th[j][0].item<double>() * std::tanh((th[j].narrow(0, 1, 2) * x[n]).sum().item<double>());
    EXPECT_NEAR(f[n].item<double>(), expect / 5, 1e-14);
  }
  EXPECT_THROW(two_layer(th, x, "gelu"), std::invalid_argument);
  EXPECT_THROW(two_layer(th, torch::randn({4, 3}, torch::kDouble), "tanh"), std::invalid_argument);
}

TEST(MeanField, VelocityIsTheGradientOfTheFirstVariation) {
  testing::OneThread one_thread;
  torch::manual_seed(11);
  auto p = teacher_student(teacher(), "tanh", 64, 8);
  auto th = torch::randn({6, 3}, torch::kDouble);
  auto v = mean_field_velocity(p, th);
  // Ψ(θ; ρ) = mean_n (f(xₙ) − yₙ) a tanh(w·xₙ): ∇_a Ψ = mean r tanh, ∇_w Ψ = mean r a tanh' x.
  auto r = two_layer(th, p.x_train, "tanh") - p.y_train;  // [N]
  for (int64_t j = 0; j < 6; ++j) {
    auto z = torch::matmul(p.x_train, th[j].narrow(0, 1, 2));
    auto da = (r * torch::tanh(z)).mean();
    auto dw = ((r * th[j][0] * (1 - torch::tanh(z).pow(2))).unsqueeze(1) * p.x_train).mean(0);
    EXPECT_NEAR(v[j][0].item<double>(), -da.item<double>(), 1e-13);
    EXPECT_LT((v[j].narrow(0, 1, 2) + dw).abs().max().item<double>(), 1e-13);
  }
}

TEST(MeanField, LossDecreasesMonotonicallyWithSmallSteps) {
  testing::OneThread one_thread;
  torch::manual_seed(12);
  auto p = teacher_student(teacher(), "relu", 400, 1000);
  auto init = torch::randn({200, 3}, torch::kDouble);
  auto r = mean_field_flow(p, init, MeanFieldOptions().step(0.05).steps(600).test_every(100));
  ASSERT_EQ(r.train_loss.size(), 601u);
  for (size_t k = 1; k < r.train_loss.size(); ++k)
    ASSERT_LE(r.train_loss[k], r.train_loss[k - 1]) << "loss increased at step " << k;
  // And it makes progress: the training loss falls at least tenfold.
  EXPECT_LT(r.train_loss.back(), 0.1 * r.train_loss.front());
  EXPECT_LT(r.test_loss.back(), 0.2 * r.test_loss.front());
  // A step far too large breaks monotonicity (the bound on the step is real).
  auto big = mean_field_flow(p, init, MeanFieldOptions().step(3).steps(30));
  bool increased = false;
  for (size_t k = 1; k < big.train_loss.size(); ++k)
    increased = increased || big.train_loss[k] > big.train_loss[k - 1];
  EXPECT_TRUE(increased);
}

TEST(MeanField, NoiseAndWeightDecayEnterTheFlow) {
  testing::OneThread one_thread;
  torch::manual_seed(13);
  auto p = teacher_student(teacher(), "tanh", 100, 100);
  auto init = torch::randn({50, 3}, torch::kDouble);
  auto plain = mean_field_flow(p, init, MeanFieldOptions().step(0.05).steps(40));
  auto decay = mean_field_flow(p, init, MeanFieldOptions().step(0.05).steps(40).weight_decay(1.0));
  // Weight decay alone, with a zero teacher signal, shrinks every particle by (1 − λτ) a step.
  auto zero = p;
  zero.y_train = two_layer(init, p.x_train, "tanh");  // the student already fits: velocity 0
  auto shrink = mean_field_flow(zero, init, MeanFieldOptions().step(0.05).steps(1).weight_decay(2));
  EXPECT_LT((shrink.particles - 0.9 * init).abs().max().item<double>(), 1e-12);
  EXPECT_GT(decay.particles.norm().item<double>(), 0);
  EXPECT_LT(decay.particles.norm().item<double>(), plain.particles.norm().item<double>());
  auto noisy = mean_field_flow(p, init, MeanFieldOptions().step(0.05).steps(40).temperature(0.01));
  EXPECT_FALSE(noisy.particles.allclose(plain.particles));
  EXPECT_THROW(mean_field_flow(p, init, MeanFieldOptions().temperature(-1)), std::invalid_argument);
}

}  // namespace
}  // namespace enflow::particles
