#include "enflow/io/archive_file.h"

#include <torch/nn/module.h>
#include <torch/serialize/archive.h>

#include <map>

#include <sstream>
#include <stdexcept>

#include "enflow/io/atomic_file.h"

namespace enflow::io {

std::string archive_bytes(torch::serialize::OutputArchive& archive) {
  std::ostringstream bytes;
  archive.save_to(bytes);
  return bytes.str();
}

void write_archive_atomically(const std::string& path, torch::serialize::OutputArchive& archive) {
  write_bytes_atomically(path, archive_bytes(archive));
}

void read_archive(const std::string& path, torch::serialize::InputArchive& archive,
                  const std::string& what) {
  require_readable(path);
  try {
    archive.load_from(path);
  } catch (const std::exception&) {  // c10::Error: bad zip, truncated, not an archive
    throw std::runtime_error("'" + path + "' is not " + what + " (unreadable or truncated)");
  }
}

void load_module_checked(torch::nn::Module& module, torch::serialize::InputArchive& archive,
                         const std::string& where) {
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& p : module.named_parameters()) shapes[p.key()] = p.value().sizes().vec();
  for (const auto& b : module.named_buffers()) shapes[b.key()] = b.value().sizes().vec();
  try {
    module.load(archive);
  } catch (const c10::Error&) {  // a missing parameter or submodule
    throw std::runtime_error(where + ": its weights do not fit the model (parameters missing)");
  }
  auto check = [&](const std::string& name, const at::Tensor& t) {
    const auto it = shapes.find(name);
    if (it != shapes.end() && t.sizes().vec() != it->second)
      throw std::runtime_error(where + ": its weights do not fit the model (parameter " + name +
                               " is " + c10::str(t.sizes()) + " there, " +
                               c10::str(c10::IntArrayRef(it->second)) + " in the model)");
  };
  for (const auto& p : module.named_parameters()) check(p.key(), p.value());
  for (const auto& b : module.named_buffers()) check(b.key(), b.value());
}

}  // namespace enflow::io
