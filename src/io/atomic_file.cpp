#include "enflow/io/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "enflow/interrupt.h"

namespace enflow::io {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail_write(const std::string& path, const std::string& why) {
  throw std::runtime_error("cannot write '" + path + "': " + why);
}

std::string errno_text(int err) { return std::strerror(err); }

fs::path directory_of(const std::string& path) {
  const fs::path target(path);
  return target.has_parent_path() ? target.parent_path() : fs::path(".");
}

// ".NAME.tmp.PID" files beside the target whose process is gone: left by a kill -9.
void remove_stale_temporaries(const fs::path& dir, const std::string& name) {
  const std::string prefix = "." + name + ".tmp.";
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string f = it->path().filename().string();
    if (f.size() <= prefix.size() || f.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string pid_text = f.substr(prefix.size());
    if (pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const long pid = std::strtol(pid_text.c_str(), nullptr, 10);
    if (pid <= 0 || pid == ::getpid()) continue;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::error_code rm;
      fs::remove(it->path(), rm);
    }
  }
}

// fsync by path: the temporary may have been written by another program (gnuplot) or a
// library (HDF5), so the data must reach the disk before the rename makes it the file.
void fsync_path(const std::string& path, const std::string& target, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_write(target, "cannot open " + path + ": " + errno_text(errno));
  if (::fsync(fd) != 0 && !(directory && (errno == EINVAL || errno == EROFS))) {
    const int err = errno;
    ::close(fd);
    fail_write(target, "fsync failed: " + errno_text(err));
  }
  ::close(fd);
}

}  // namespace

void write_atomically(const std::string& path, const std::function<void(const std::string&)>& write,
                      const std::function<void(const std::string&)>& verify) {
  const fs::path target(path);
  const fs::path dir = directory_of(path);
  if (target.filename().empty()) fail_write(path, "not a file name");
  if (!fs::is_directory(dir)) fail_write(path, "directory '" + dir.string() + "' does not exist");
  remove_stale_temporaries(dir, target.filename().string());
  ScopedTempPath tmp(
      (dir / ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()))).string());
  write(tmp.path());
  if (verify) verify(tmp.path());
  fsync_path(tmp.path(), path, false);
  if (::rename(tmp.path().c_str(), path.c_str()) != 0) fail_write(path, errno_text(errno));
  tmp.release();
  fsync_path(dir.string(), path, true);
}

void write_bytes_atomically(const std::string& path, std::string_view bytes) {
  write_atomically(path, [&](const std::string& tmp) {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail_write(path, errno_text(errno));
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int err = n < 0 ? errno : EIO;
        ::close(fd);
        fail_write(path, errno_text(err));
      }
      done += static_cast<size_t>(n);
    }
    // write_atomically fsyncs the closed temporary (as for files other programs write).
    if (::close(fd) != 0) fail_write(path, errno_text(errno));
  });
}

void write_text_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write) {
  std::ostringstream s;
  write(s);
  if (!s) fail_write(path, "formatting the content failed");
  write_bytes_atomically(path, s.str());
}

void require_readable(const std::string& path) {
  std::ifstream f(path);
  if (!f.good())
    throw std::runtime_error("cannot read '" + path + "': no such file or not readable");
}

void require_writable(const std::string& path) {
  if (path.empty()) throw std::runtime_error("cannot write '': the output path is empty");
  const fs::path target(path);
  if (target.filename().empty() || fs::is_directory(target))
    fail_write(path, "it is a directory, not a file name");
  const fs::path dir = directory_of(path);
  std::error_code ec;
  const auto st = fs::status(dir, ec);
  if (ec || !fs::exists(st)) fail_write(path, "directory '" + dir.string() + "' does not exist");
  if (!fs::is_directory(st)) fail_write(path, "'" + dir.string() + "' is not a directory");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    fail_write(path, "directory '" + dir.string() + "' is not writable");
}

}  // namespace enflow::io
