// Precompiled header: LibTorch's full API is by far the largest part of every enflow
// translation unit's compile time.
#pragma once
#include <torch/torch.h>
