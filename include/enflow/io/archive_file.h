// LibTorch archives (models, checkpoints) written through the checked atomic writer.
#pragma once

#include <string>

namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize
namespace torch::nn {
class Module;
}  // namespace torch::nn

namespace enflow::io {

/// The archive's bytes, serialized in memory (for a file written later, e.g. a checkpoint
/// committed once its state is known to be good).
std::string archive_bytes(torch::serialize::OutputArchive& archive);

/// Serializes `archive` in memory, then writes it with write_bytes_atomically. LibTorch's own
/// file writer ends the process when a write fails in its destructor (a full disk); this
/// reports "cannot write 'path': ..." and leaves the old file as it was.
void write_archive_atomically(const std::string& path, torch::serialize::OutputArchive& archive);

/// Loads `archive` from path; any LibTorch error becomes "'path' is not <what>".
void read_archive(const std::string& path, torch::serialize::InputArchive& archive,
                  const std::string& what);

/// module.load(archive), refusing weights of other shapes: LibTorch's load silently resizes
/// a parameter to the stored tensor, so a network built from one config would run with the
/// weights of another. Throws std::runtime_error "<where>: its weights do not fit ...
/// (parameter P is [..] there, [..] in the model)".
void load_module_checked(torch::nn::Module& module, torch::serialize::InputArchive& archive,
                         const std::string& where);

}  // namespace enflow::io
