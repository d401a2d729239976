// CSV tables of tensors (particles, samples, loss histories), written atomically.
#pragma once

#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace enflow::io {

/// Writes `table` [N, k] as CSV to path: '#'-prefixed `comment` (none when empty), a header
/// row of the k `columns`, then one row per table row (%.17g: every double round-trips).
/// Written atomically (io::write_text_atomically). Throws std::invalid_argument if the table
/// is not 2-D with one column per name.
void write_csv(const std::string& path, const std::string& comment,
               const std::vector<std::string>& columns, const at::Tensor& table);

}  // namespace enflow::io
