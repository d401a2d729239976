#include "nn/reverse_pass.h"

#include <ATen/Parallel.h>
#include <ATen/ThreadLocalState.h>
#include <torch/torch.h>

#include <functional>
#include <stdexcept>

#include "ad/circular_conv.h"
#include "ad/elementwise_rules.h"

namespace enflow::nn::reverse {

namespace {

using torch::Tensor;

struct Step {
  enum class Kind { kLinear, kConv, kAct, kChannelsLast, kSum, kResidual };
  explicit Step(Kind k) : kind(k) {}
  Kind kind;
  LinearImpl* linear = nullptr;  // owned by the EnergyNet that owns the plan
  PeriodicConvImpl* conv = nullptr;
  const ad::ElementwiseRule* rule = nullptr;
  double scale = 1.0;
  std::vector<Step> block;  // kResidual
};

// What the reverse pass needs from the forward pass, per step.
struct Tape {
  bool discrete = false;      // two streams (u, v): activations saved D(a, b)
  std::vector<Tensor> saved;  // activation: D(a, b), f'(x) or f(x) (rules with
                              // backward_from_value); sum: the input's shape holder
  std::vector<Tape> nested;   // residual blocks
};

// Appends the steps of `layer` to `out`; false if some layer has no hand-written rule.
// `channels_last` tracks the layout: convolutions need [N, *grid, C].
bool flatten(LayerImpl& layer, std::vector<Step>& out, bool& channels_last) {
  if (auto* seq = dynamic_cast<SequentialImpl*>(&layer)) {
    for (auto& l : seq->layers()) {
      if (!flatten(*l, out, channels_last)) return false;
    }
    return true;
  }
  if (auto* lin = dynamic_cast<LinearImpl*>(&layer)) {
    if (channels_last) return false;  // a Linear over the grid axis: leave it to ad::Var
    Step s{Step::Kind::kLinear};
    s.linear = lin;
    out.push_back(s);
    return true;
  }
  if (auto* conv = dynamic_cast<PeriodicConvImpl*>(&layer)) {
    if (!channels_last) return false;
    Step s{Step::Kind::kConv};
    s.conv = conv;
    out.push_back(s);
    return true;
  }
  if (auto* act = dynamic_cast<ActivationImpl*>(&layer)) {
    if (act->name() == "identity") return true;
    Step s{Step::Kind::kAct};
    s.rule = &ad::elementwise_rule(act->name());
    out.push_back(s);
    return true;
  }
  if (auto* un = dynamic_cast<UnsqueezeImpl*>(&layer)) {
    // [B, *grid] → [B, 1, *grid] before a convolution; channels-last it is [B, *grid, 1].
    if (un->dim() != 1 || channels_last || !out.empty()) return false;
    channels_last = true;
    out.emplace_back(Step::Kind::kChannelsLast);
    return true;
  }
  if (auto* sum = dynamic_cast<SumPerSampleImpl*>(&layer)) {
    Step s{Step::Kind::kSum};
    s.scale = sum->scale();
    out.push_back(s);
    return true;
  }
  if (auto* res = dynamic_cast<ResidualImpl*>(&layer)) {
    Step s{Step::Kind::kResidual};
    bool inner_layout = channels_last;
    if (!flatten(*res->block(), s.block, inner_layout) || inner_layout != channels_last) {
      return false;
    }
    out.push_back(std::move(s));
    return true;
  }
  return false;
}

// Channels-last periodic convolution: gathers the K = k₁·…·k_axes circular neighbours of
// every grid point, [N, *grid, C] → [N, *grid, C·K] (index c·K + j with j the row-major
// kernel offset, matching the weight [C_out, C_in, k₁, ...]), so the convolution is one
// matrix product. Output point i sees x[i + j − p] (cross-correlation, p = k/2 per axis).
std::vector<int64_t> kernel_sizes(const PeriodicConvImpl& c) {
  return c.weight.sizes().slice(2).vec();
}

int64_t kernel_points(const std::vector<int64_t>& ks) {
  int64_t n = 1;
  for (const auto k : ks) n *= k;
  return n;
}

std::vector<int64_t> kernel_offset(int64_t j, const std::vector<int64_t>& ks) {
  std::vector<int64_t> o(ks.size());
  for (size_t a = ks.size(); a-- > 0; j /= ks[a]) o[a] = j % ks[a];
  return o;
}

// Rolls by sign·(offset − k/2) on grid axes 1..axes, skipping axes at the centre.
Tensor roll_grid(const Tensor& x, const std::vector<int64_t>& offset,
                 const std::vector<int64_t>& ks, int64_t sign) {
  std::vector<int64_t> shifts, dims;
  for (size_t a = 0; a < offset.size(); ++a) {
    const int64_t p = ks[a] / 2;
    if (offset[a] == p) continue;
    shifts.push_back(sign * (offset[a] - p));
    dims.push_back(static_cast<int64_t>(a) + 1);
  }
  return shifts.empty() ? x : torch::roll(x, shifts, dims);
}

Tensor gather_neighbours(const Tensor& x, const std::vector<int64_t>& ks) {
  const int64_t m = kernel_points(ks);
  std::vector<Tensor> cols;
  for (int64_t j = 0; j < m; ++j) cols.push_back(roll_grid(x, kernel_offset(j, ks), ks, -1));
  auto s = torch::stack(cols, -1);
  auto shape = x.sizes().vec();
  shape.back() *= m;
  return s.reshape(shape);
}

// Adjoint of gather_neighbours: [N, *grid, C·K] → [N, *grid, C].
Tensor scatter_neighbours(const Tensor& g, const std::vector<int64_t>& ks) {
  const int64_t m = kernel_points(ks);
  auto shape = g.sizes().vec();
  shape.back() /= m;
  shape.push_back(m);
  auto gk = g.reshape(shape);
  Tensor out;
  for (int64_t j = 0; j < m; ++j) {
    auto t = roll_grid(gk.select(-1, j), kernel_offset(j, ks), ks, 1);
    out = out.defined() ? out + t : t;
  }
  return out;
}

// The weight as a matrix [C_out, C_in·K].
Tensor conv_matrix(const PeriodicConvImpl& c) { return c.weight.reshape({c.weight.size(0), -1}); }

// The shape checks of the ad::Var route, on the channels-first view, so that both routes
// reject the same inputs with the same message.
void check_conv_input(const PeriodicConvImpl& c, const Tensor& x) {
  const auto name = "PeriodicConv" + std::to_string(c.axes()) + "d";
  if (x.dim() < 2) {
    ad::check_circular_conv(x, c.weight, c.bias, c.axes(), name.c_str());
  } else {
    ad::check_circular_conv(x.movedim(-1, 1), c.weight, c.bias, c.axes(), name.c_str());
  }
}

Tensor conv_forward(const PeriodicConvImpl& c, const Tensor& x) {
  const auto ks = kernel_sizes(c);
  if (kernel_points(ks) == 1) return torch::linear(x, conv_matrix(c), c.bias);
  return torch::linear(gather_neighbours(x, ks), conv_matrix(c), c.bias);
}

Tensor conv_reverse(const PeriodicConvImpl& c, const Tensor& g) {
  const auto ks = kernel_sizes(c);
  if (kernel_points(ks) == 1) return torch::matmul(g, conv_matrix(c));
  return scatter_neighbours(torch::matmul(g, conv_matrix(c)), ks);
}

// Forward over one stream (the gradient: u) or two (the discrete gradient: u and v, kept
// apart rather than stacked so the training graph has no slice-backward copies), recording
// in `tape` what the reverse pass needs.
using Streams = std::vector<Tensor>;

// The two streams are independent until the divided difference joins them, so with two or
// more LibTorch threads each stream's layer runs on its own thread; ops inside run serially
// there (in_parallel_region), and so do the multiplies, on the pthread OpenBLAS's calling
// thread (decision 33) or inside the OpenMP build's region (decision 42).
// Grad mode and the other thread-local state are not inherited by OpenMP workers, so each task
// takes the caller's; autograd records concurrently built graphs safely. The values are those of
// the serial loop, bit for bit.
Streams map_streams(const Streams& x, const std::function<Tensor(const Tensor&)>& f) {
  Streams y(x.size());
  const bool concurrent = x.size() > 1 && x[0].device().is_cpu() && at::get_num_threads() > 1 &&
                          !at::in_parallel_region();
  if (!concurrent) {
    for (size_t i = 0; i < x.size(); ++i) y[i] = f(x[i]);
    return y;
  }
  const at::ThreadLocalState caller;
  at::parallel_for(0, static_cast<int64_t>(x.size()), 1, [&](int64_t lo, int64_t hi) {
    at::ThreadLocalStateGuard state(caller);
    for (int64_t i = lo; i < hi; ++i) y[i] = f(x[i]);
  });
  return y;
}

Streams forward(const std::vector<Step>& steps, Streams x, Tape& tape) {
  auto each = [&x](const std::function<Tensor(const Tensor&)>& f) { x = map_streams(x, f); };
  tape.discrete = x.size() == 2;
  for (const auto& s : steps) {
    switch (s.kind) {
      case Step::Kind::kLinear:
        each([&](const Tensor& t) { return torch::linear(t, s.linear->weight, s.linear->bias); });
        tape.saved.emplace_back();
        break;
      case Step::Kind::kConv:
        check_conv_input(*s.conv, x[0]);
        each([&](const Tensor& t) { return conv_forward(*s.conv, t); });
        tape.saved.emplace_back();
        break;
      case Step::Kind::kAct: {
        Streams y = map_streams(x, s.rule->f);
        if (tape.discrete) {
          tape.saved.push_back(s.rule->dd(x[0], x[1], y[0], y[1]));
        } else {
          tape.saved.push_back(s.rule->backward_from_value ? y[0] : s.rule->fprime(x[0], y[0]));
        }
        x = std::move(y);
        break;
      }
      case Step::Kind::kChannelsLast:
        each([](const Tensor& t) { return t.unsqueeze(-1); });
        tape.saved.emplace_back();
        break;
      case Step::Kind::kSum:
        // Keep a zero-size view to recover the per-sample shape in reverse.
        tape.saved.push_back(x[0].narrow(0, 0, 0));
        each([&](const Tensor& t) { return t.flatten(1).sum(1) * s.scale; });
        break;
      case Step::Kind::kResidual: {
        Tape inner;
        auto r = forward(s.block, x, inner);
        for (size_t i = 0; i < x.size(); ++i) x[i] = x[i] + r[i];
        tape.nested.push_back(std::move(inner));
        tape.saved.emplace_back();
        break;
      }
    }
  }
  return x;
}

// Reverse over the steps: g ← J̄ᵀ g (or Jᵀ g), B rows.
Tensor backward(const std::vector<Step>& steps, Tensor g, const Tape& tape, int64_t B) {
  size_t nested = tape.nested.size();
  for (size_t i = steps.size(); i-- > 0;) {
    const auto& s = steps[i];
    switch (s.kind) {
      case Step::Kind::kLinear:
        g = torch::matmul(g, s.linear->weight);
        break;
      case Step::Kind::kConv:
        g = conv_reverse(*s.conv, g);
        break;
      case Step::Kind::kAct:
        g = !tape.discrete && s.rule->backward_from_value
                ? s.rule->backward_from_value(g, tape.saved[i])
                : g * tape.saved[i];
        break;
      case Step::Kind::kChannelsLast:
        g = g.squeeze(-1);
        break;
      case Step::Kind::kSum: {
        auto shape = tape.saved[i].sizes().vec();
        shape[0] = B;
        std::vector<int64_t> ones(shape.size(), 1);
        ones[0] = B;
        g = (g * s.scale).reshape(ones).expand(shape);
        break;
      }
      case Step::Kind::kResidual:
        g = g + backward(s.block, g, tape.nested[--nested], B);
        break;
    }
  }
  return g;
}

}  // namespace

class Plan {
 public:
  std::vector<Step> steps;
};

std::shared_ptr<const Plan> compile(LayerImpl& body) {
  auto plan = std::make_shared<Plan>();
  bool channels_last = false;
  if (!flatten(body, plan->steps, channels_last)) return nullptr;
  if (plan->steps.empty() || plan->steps.back().kind != Step::Kind::kSum) return nullptr;
  return plan;
}

std::pair<Tensor, Tensor> gradient(const Plan& plan, const Tensor& u, bool create_graph) {
  torch::AutoGradMode grad_mode(create_graph);
  Tape tape;
  const int64_t B = u.size(0);
  auto H = forward(plan.steps, {u}, tape)[0];
  auto g = backward(plan.steps, torch::ones({B}, u.options()), tape, B);
  return {H, g.reshape(u.sizes())};
}

ad::DiscreteGradient discrete_gradient(const Plan& plan, const Tensor& u, const Tensor& v,
                                       bool create_graph) {
  torch::AutoGradMode grad_mode(create_graph);
  Tape tape;
  const int64_t B = u.size(0);
  auto H = forward(plan.steps, {u, v}, tape);
  ad::DiscreteGradient r;
  r.H_u = H[0];
  r.H_v = H[1];
  r.dgrad = backward(plan.steps, torch::ones({B}, u.options()), tape, B).reshape(u.sizes());
  return r;
}

}  // namespace enflow::nn::reverse
