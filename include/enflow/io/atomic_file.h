// The one way enflow writes a file: the content goes to a temporary file beside the target;
// every write, the close and an fsync are checked; only then is it renamed over the target
// (and the directory fsynced). A failed or interrupted write never touches the old file and
// leaves no temporary behind (stale temporaries of killed processes are removed by the next
// write to the same target).
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace enflow::io {

/// Calls write(tmp_path) — for writers that need a path of their own (HDF5, gnuplot) — then
/// `verify(tmp_path)` if given (it throws if the file is incomplete), fsyncs the temporary,
/// renames it to path and fsyncs the directory. If anything throws, the temporary is removed
/// and path is untouched. Errors name `path`.
void write_atomically(const std::string& path, const std::function<void(const std::string&)>& write,
                      const std::function<void(const std::string&)>& verify = {});

/// Writes `bytes` to path atomically with checked writes, close and fsync.
void write_bytes_atomically(const std::string& path, std::string_view bytes);

/// Builds the content in memory with write(stream), then writes it as write_bytes_atomically.
void write_text_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write);

/// Throws std::runtime_error naming the path if it does not exist or is not readable.
void require_readable(const std::string& path);

/// Throws std::runtime_error naming the path if a file could not be created there: its
/// directory is missing, is not a directory, or is not writable, or path is a directory.
/// Commands call it before they start work whose result would go there.
void require_writable(const std::string& path);

}  // namespace enflow::io
