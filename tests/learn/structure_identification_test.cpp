// learn::structure_identification_error: a learned stencil set to the true operator (up to
// any scale, either sign) scores 0; a known admixture of another operator scores its exact
// angle; fixed structures and systems without G give NaN.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "enflow/learn/metrics.h"
#include "enflow/models/model.h"
#include "enflow/systems/system.h"

namespace enflow::learn {
namespace {

// A 1-D model of n points with a learned stencil of the given kind and radius (float64).
models::DynamicsModel stencil_model(const std::string& structure, int64_t n, double dx,
                                    int64_t radius) {
  auto m = models::make_model(models::ModelOptions()
                                  .dim(n)
                                  .network("periodic_conv")
                                  .channels(4)
                                  .structure(structure)
                                  .stencil_radius(radius)
                                  .dx(dx));
  m->to(torch::kFloat64);
  return m;
}

// Sets the learned coefficient of 1-D offset `o` (row `axis` for the dissipative form).
void set_offset(models::DynamicsModelImpl& m, int64_t o, double value) {
  torch::NoGradGuard no_grad;
  auto c = m.structure_parameters().at(0);
  auto flat = c.view({-1, c.size(-1)});
  auto n = c.size(-1);
  for (int64_t i = 0; i < n; ++i) {
    // offsets() is not reachable through the model: the coefficients follow the offsets in
    // increasing order (skew: 1..r; dissipative: −r..r), so index arithmetic finds o.
    const int64_t offset = c.dim() == 1 ? i + 1 : i - (n - 1) / 2;
    if (offset == o) flat.select(1, i).fill_(value);
  }
}

void zero(models::DynamicsModelImpl& m) {
  torch::NoGradGuard no_grad;
  m.structure_parameters().at(0).zero_();
}

TEST(StructureIdentification, SkewStencilAgainstKdvCentralDifference) {
  auto kdv = systems::make_system("kdv");
  const int64_t n = kdv->dim();
  auto m = stencil_model("learned_skew_stencil", n, kdv->dx(), 2);
  zero(*m);
  set_offset(*m, 1, 0.37);
  const double exact = structure_identification_error(*m, *kdv);
  set_offset(*m, 1, -5.0);  // another scale and the opposite sign: the same G∇H family
  const double rescaled = structure_identification_error(*m, *kdv);
  // c₁A₁ + c₂A₂ with ⟨A₁, A₂⟩ = 0 and ‖A₁‖ = ‖A₂‖: the error is |c₂| / √(c₁² + c₂²).
  set_offset(*m, 1, 3.0);
  set_offset(*m, 2, 4.0);
  const double mixed = structure_identification_error(*m, *kdv);
  std::printf("kdv: skew stencil = D: %.2e, rescaled %.2e; 3 D + 4 (wide): %.6f (exact 0.8)\n",
              exact, rescaled, mixed);
  EXPECT_LE(exact, 1e-7);  // sqrt of a rounding-level 1 − cos²
  EXPECT_LE(rescaled, 1e-7);
  EXPECT_NEAR(mixed, 0.8, 1e-12);
}

TEST(StructureIdentification, DissipativeStencilAgainstCahnHilliardLaplacian) {
  auto ch = systems::make_system("cahn-hilliard");
  auto m = stencil_model("learned_dissipative_stencil", ch->dim(), ch->dx(), 1);
  zero(*m);
  set_offset(*m, 0, -1.0);  // K = (S₁ − I)/h, so −KᵀK is the three-point Laplacian
  set_offset(*m, 1, 1.0);
  const double exact = structure_identification_error(*m, *ch);
  set_offset(*m, -1, 0.5);  // a wider, different stencil: clearly off
  const double off = structure_identification_error(*m, *ch);
  std::printf("cahn-hilliard: -K^T K = D2: %.2e; perturbed K: %.3f\n", exact, off);
  EXPECT_LE(exact, 1e-7);
  EXPECT_GT(off, 0.1);
}

TEST(StructureIdentification, UndefinedWithoutALearnedStructureOrAKnownG) {
  auto kdv = systems::make_system("kdv");
  auto fixed = models::make_model(
      models::ModelOptions().dim(kdv->dim()).network("periodic_conv").channels(4).structure("D"));
  fixed->to(torch::kFloat64);
  EXPECT_TRUE(std::isnan(structure_identification_error(*fixed, *kdv)));
  auto wrong_size = stencil_model("learned_skew_stencil", 16, 1.0, 1);
  EXPECT_TRUE(std::isnan(structure_identification_error(*wrong_size, *kdv)));
}

}  // namespace
}  // namespace enflow::learn
