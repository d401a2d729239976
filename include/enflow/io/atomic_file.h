// Atomic output: write to a temporary file beside the target, then rename, so an
// interrupted or failed write never leaves a half file and never clobbers a good one.
#pragma once

#include <functional>
#include <string>

namespace enflow::io {

/// Calls write(tmp_path), then renames tmp_path to path. If write throws, the temporary
/// is removed and the exception propagates; path is untouched.
void write_atomically(const std::string& path,
                      const std::function<void(const std::string&)>& write);

/// Throws std::runtime_error naming the path if it does not exist or is not readable.
void require_readable(const std::string& path);

}  // namespace enflow::io
