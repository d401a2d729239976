// How far a particle cloud is from a target, from samples alone.
#pragma once

#include <ATen/core/Tensor.h>

namespace enflow::particles {

/// Mean distance E|X − Y| between the rows of x [n, d] and y [m, d], in blocks (memory ∝ m).
double mean_distance(const at::Tensor& x, const at::Tensor& y);
/// Mean distance between distinct rows of y (the U-statistic of E|Y − Y'|), in blocks.
double mean_distance_within(const at::Tensor& y);

/// Energy distance (Székely) 2 E|X − Y| − E|X − X'| − E|Y − Y'| between the empirical measure
/// of the points x [n, d] (all pairs, so a particle set is judged as the measure it is) and
/// the law sampled by y [m, d] (distinct pairs: unbiased). Non-negative up to the sampling
/// error of y; n i.i.d. draws of the law score E|Y − Y'|/n on average. within_y: E|Y − Y'|
/// if already known (< 0: computed here).
double energy_distance(const at::Tensor& x, const at::Tensor& y, double within_y = -1);

/// Gaussian kernel density estimate at points [M, d] from samples [n, d] with bandwidth
/// (standard deviation) `sigma`: [M].
at::Tensor kernel_density(const at::Tensor& samples, const at::Tensor& points, double sigma);

/// Silverman's rule of thumb for the bandwidth of a 1-D KDE: 0.9 min(sd, IQR/1.34) n^(−1/5).
double silverman_bandwidth(const at::Tensor& samples_1d);

}  // namespace enflow::particles
