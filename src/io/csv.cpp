#include "enflow/io/csv.h"

#include <fmt/core.h>
#include <torch/torch.h>

#include <ostream>
#include <stdexcept>

#include "enflow/io/atomic_file.h"

namespace enflow::io {

void write_csv(const std::string& path, const std::string& comment,
               const std::vector<std::string>& columns, const at::Tensor& table) {
  auto t = table.to(torch::kCPU, torch::kDouble).contiguous();
  if (t.dim() != 2 || t.size(1) != static_cast<int64_t>(columns.size()))
    throw std::invalid_argument("write_csv: the table does not match its columns");
  write_text_atomically(path, [&](std::ostream& f) {
    if (!comment.empty()) f << "# " << comment << "\n";
    for (size_t c = 0; c < columns.size(); ++c) f << (c ? "," : "") << columns[c];
    f << "\n";
    const double* v = t.data_ptr<double>();
    for (int64_t r = 0; r < t.size(0); ++r) {
      for (int64_t c = 0; c < t.size(1); ++c)
        f << (c ? "," : "") << fmt::format("{:.17g}", v[r * t.size(1) + c]);
      f << "\n";
    }
  });
}

}  // namespace enflow::io
