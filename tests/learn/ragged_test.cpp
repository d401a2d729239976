// Ragged records (issue 28): series of different lengths and irregular time stamps train,
// and every metric counts each pair and each time point of every series exactly once.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "enflow/io/config.h"
#include "enflow/learn/experiment.h"
#include "enflow/learn/prediction_output.h"
#include "enflow/run.h"
#include "support/files.h"
#include "support/oscillator.h"

namespace enflow::learn {
namespace {

// Five oscillator trials cut to different lengths; trials 1 and 4 lose rows (gaps).
io::Dataset ragged_record() {
  const auto full = testing::oscillator_dataset(5, 60, 0.1);
  const std::vector<int64_t> lengths{60, 35, 48, 22, 41};
  std::vector<at::Tensor> x, t;
  for (int64_t s = 0; s < 5; ++s) {
    auto keep = torch::arange(lengths[s], torch::kLong);
    if (s == 1 || s == 4)  // drop rows 10-12: one step of 0.4 in the time stamps
      keep = torch::cat({keep.narrow(0, 0, 10), keep.narrow(0, 13, lengths[s] - 13)});
    x.push_back(full.states[s].index_select(0, keep));
    t.push_back(full.t.index_select(0, keep));
  }
  io::Dataset d;
  io::set_ragged_series(d, x, t);
  d.system = "mass-spring";
  d.source = "import test";
  d.train = {0, 1, 2};
  d.test = {3, 4};
  return d;
}

// One series of `d` as a dataset of its own (no padding anywhere).
io::Dataset only(const io::Dataset& d, int64_t s) {
  io::Dataset one = d;
  io::set_ragged_series(one, {io::series_states(d, s)}, {io::series_times(d, s)});
  one.train = {};
  one.test = {0};
  return one;
}

TEST(RaggedSeries, TrainAndEveryPointCountedOnce) {
  const auto data = ragged_record();
  ASSERT_EQ(data.lengths, (std::vector<int64_t>{60, 32, 48, 22, 38}));
  const auto dir = testing::fresh_dir("ragged");
  const auto model = (dir / "m.pt").string();
  auto cfg = io::Config::parse(
      "[model]\nhidden = [32, 32]\n[train]\nlr = 3e-3\nbatch = 64\niterations = 800\n"
      "log_every = 0\n[run]\ndtype = \"float64\"\n[output]\nmodel = \"" +
      model + "\"\n");
  TrainRequest request;
  request.dataset = std::make_shared<io::Dataset>(data);
  train_experiment(cfg, request, RunContext());

  const auto l = load_for_eval(model, "", "", false, "", &data);
  const auto ev = evaluate_loaded(l);
  ASSERT_EQ(ev.lengths, (std::vector<int64_t>{22, 38}));
  ASSERT_EQ(ev.prediction.size(1), 60);
  // Beyond a series' length the prediction repeats its last state (padding, not data).
  EXPECT_TRUE(torch::equal(ev.prediction[0][59], ev.prediction[0][21]));
  // Each test series on its own gives the same per-point errors: the ragged metrics are
  // their point-weighted (state) and pair-weighted (step) means.
  double state = 0, step = 0;
  for (int k = 0; k < 2; ++k) {
    const auto one = only(data, data.test[k]);
    const auto e = evaluate_loaded(load_for_eval(model, "", "", false, "", &one));
    const double n = static_cast<double>(data.lengths[data.test[k]]);
    state += n * e.state_mse;
    step += (n - 1) * e.step_mse;
    std::printf("series %lld alone: %g points, state MSE %.6e, step MSE %.6e\n",
                static_cast<long long>(data.test[k]), n, e.state_mse, e.step_mse);
  }
  state /= 22 + 38;
  step /= 21 + 37;
  std::printf("ragged: state MSE %.6e (weighted %.6e), step MSE %.6e (weighted %.6e)\n",
              ev.state_mse, state, ev.step_mse, step);
  EXPECT_NEAR(ev.state_mse, state, 1e-10 * state);
  EXPECT_NEAR(ev.step_mse, step, 1e-10 * step);
  // And the model learned the oscillator through the gaps and the different lengths
  // (radii 0.2-1: a mean square state of about 0.2).
  EXPECT_LT(ev.state_mse, 1e-2);
  // The learned energy holds along the ragged prediction (discrete gradient, conservative).
  ASSERT_TRUE(ev.learned_energy.defined());
  const auto law = learned_energy_law(ev.learned_energy);
  std::printf("learned energy relative drift along the prediction %.3e\n", law.rel_drift);
  EXPECT_LT(law.rel_drift, 1e-8);
}

}  // namespace
}  // namespace enflow::learn
