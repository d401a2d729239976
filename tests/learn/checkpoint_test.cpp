// Checkpoints a user can trust: after a divergence the file on disk is a state whose loss was
// finite, the message says exactly what exists, a changed network is refused on resume, and
// SIGINT stops training at a safe point with the checkpoint intact.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <csignal>
#include <filesystem>

#include "enflow/interrupt.h"
#include "enflow/learn/trainer.h"
#include "enflow/models/model.h"
#include "support/errors.h"
#include "support/files.h"
#include "support/oscillator.h"

namespace enflow::learn {
namespace {

namespace fs = std::filesystem;
using testing::error_of;

struct Checkpoints : ::testing::Test {
  void SetUp() override {
    torch::manual_seed(0);
    dir = testing::fresh_dir("checkpoints");
    ckpt = (dir / "m.pt.ckpt").string();
    auto data = testing::oscillator_dataset(6, 20, 0.1);
    pairs = make_pairs(data, data.train, torch::kFloat64, torch::kCPU);
  }
  void TearDown() override { fs::remove_all(dir); }
  models::DynamicsModel make(std::vector<int64_t> hidden = {8, 8}) {
    auto m = models::make_model(models::ModelOptions().type("hnn").dim(2).hidden(hidden));
    m->to(torch::kFloat64);
    return m;
  }
  TrainOptions opts() const {
    return TrainOptions()
        .lr(1e-3)
        .batch(8)
        .iterations(60)
        .log_every(0)
        .checkpoint_every(1)
        .checkpoint_path(ckpt)
        .step(models::StepOptions().integrator("rk2"));
  }
  // Pairs whose pair 0 has a NaN target: the first batch that draws it gives a NaN loss.
  PairSet poisoned() const {
    PairSet bad = pairs;
    bad.u1 = pairs.u1.clone();
    bad.u1[0][0] = std::nan("");
    return bad;
  }
  fs::path dir;
  std::string ckpt;
  PairSet pairs;
};

TEST_F(Checkpoints, AfterDivergenceTheFileHoldsAStateWithAFiniteLossAndResumes) {
  auto m = make();
  // The step of iteration 5 "diverges": its state (due for a checkpoint) is NaN, and the loss
  // of iteration 6, the loss of that state, is the first NaN.
  auto blow_up = [&](const Progress& p) {
    if (p.iteration != 5) return;
    torch::NoGradGuard no_grad;
    m->parameters()[0].fill_(std::nan(""));
  };
  const auto msg = error_of([&] { train(*m, pairs, opts().log_every(1), blow_up); });
  EXPECT_NE(msg.find("training diverged at iteration 6: loss is NaN"), std::string::npos) << msg;
  // Not the NaN state of iteration 5, which was due for a checkpoint: the one before it.
  EXPECT_NE(msg.find("the checkpoint '" + ckpt + "' holds iteration 4"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos);
  auto m2 = make();
  const auto rep = train(*m2, pairs, opts().iterations(9).resume(true));
  EXPECT_EQ(rep.start_iteration, 4);
  EXPECT_EQ(rep.iterations, 9);
  for (const auto& p : m2->parameters()) EXPECT_TRUE(torch::isfinite(p).all().item<bool>());
}

TEST_F(Checkpoints, TheDivergenceMessageSaysWhenNoCheckpointOfThisRunExists) {
  auto m = make();
  const auto none = error_of([&] { train(*m, poisoned(), opts().checkpoint_every(0)); });
  EXPECT_NE(none.find("no checkpoint was written"), std::string::npos) << none;
  // A file left by an earlier run is named as such, not as this run's last good state.
  train(*make(), pairs, opts().iterations(3));
  ASSERT_TRUE(fs::exists(ckpt));
  const auto before = testing::file_bytes(ckpt);
  const auto earlier =
      error_of([&] { train(*make(), poisoned(), opts().batch(0).checkpoint_every(100)); });
  EXPECT_NE(earlier.find("left from an earlier run"), std::string::npos) << earlier;
  EXPECT_EQ(testing::file_bytes(ckpt), before);
}

TEST_F(Checkpoints, ResumingWithAnotherNetworkIsRefusedNamingBothConfigs) {
  train(*make({8, 8}), pairs, opts().iterations(3).checkpoint_tag("model.hidden = [8, 8]\n"));
  const auto msg = error_of([&] {
    train(*make({16, 16}), pairs,
          opts().iterations(6).resume(true).checkpoint_tag("model.hidden = [16, 16]\n"));
  });
  EXPECT_NE(msg.find("cannot resume from '" + ckpt + "'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("model.hidden = [8, 8]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("model.hidden = [16, 16]"), std::string::npos) << msg;
  // Without a tag to compare (an older checkpoint), the mismatch is still one clear line.
  train(*make({8, 8}), pairs, opts().iterations(3));
  const auto untagged = error_of([&] {
    train(*make({16, 16}), pairs, opts().iterations(6).resume(true));
  });
  EXPECT_NE(untagged.find("do not fit the model (parameter "), std::string::npos) << untagged;
}

TEST_F(Checkpoints, ACheckpointTaggedWithAnOldKeySpellingResumes) {
  // Written before train.dtype became run.dtype (io::deprecated_keys): the same config.
  train(*make(), pairs, opts().iterations(3).checkpoint_tag("train.dtype = 'float64'\n"));
  const auto rep = train(
      *make(), pairs, opts().iterations(5).resume(true).checkpoint_tag("run.dtype = 'float64'\n"));
  EXPECT_EQ(rep.start_iteration, 3);
  EXPECT_EQ(rep.iterations, 5);
}

TEST_F(Checkpoints, ADamagedCheckpointIsOneLineNamingIt) {
  std::ofstream(ckpt) << "PK\x03\x04 not really a zip archive";
  const auto msg = error_of([&] { train(*make(), pairs, opts().resume(true)); });
  EXPECT_NE(msg.find("'" + ckpt + "' is not a readable checkpoint"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
}

TEST_F(Checkpoints, SigintStopsAtTheNextIterationAndKeepsTheCheckpoint) {
  install_interrupt_handlers();
  int64_t raised_at = -1;
  auto on_progress = [&](const Progress& p) {
    if (p.iteration == 7) {
      raised_at = p.iteration;
      std::raise(SIGINT);  // inside train's InterruptScope: recorded, not fatal
    }
  };
  int sig = 0;
  std::string msg;
  try {
    train(*make(), pairs, opts().log_every(1), on_progress);
  } catch (const Interrupted& e) {
    sig = e.signal();
    msg = e.what();
  }
  ASSERT_EQ(raised_at, 7);
  EXPECT_EQ(sig, SIGINT);
  EXPECT_NE(msg.find("interrupted by SIGINT"), std::string::npos) << msg;
  EXPECT_NE(msg.find("holds iteration 7"), std::string::npos) << msg;
  EXPECT_EQ(interrupt_signal(), 0);  // the scope ended: the next run starts clean
  const auto rep = train(*make(), pairs, opts().iterations(9).resume(true));
  EXPECT_EQ(rep.start_iteration, 7);
  for (const auto& e : fs::directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}

}  // namespace
}  // namespace enflow::learn
