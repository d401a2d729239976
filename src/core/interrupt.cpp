#include "enflow/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <mutex>

namespace enflow {

namespace {

// Paths the handler removes: fixed storage, since a signal handler may not allocate.
constexpr int kSlots = 64;
constexpr size_t kPathMax = 4096;
char g_paths[kSlots][kPathMax];
std::atomic<bool> g_used[kSlots];
std::atomic<bool> g_is_dir[kSlots];
std::mutex g_slot_mutex;  // taken by registering threads only, never by the handler

std::atomic<int> g_scopes{0};
std::atomic<int> g_signal{0};

void write_stderr(const char* s) {
  ssize_t r = ::write(STDERR_FILENO, s, std::strlen(s));
  (void)r;
}

void remove_registered() {
  // Files first (higher slots were registered later, inside their directories).
  for (int i = kSlots - 1; i >= 0; --i)
    if (g_used[i].load() && !g_is_dir[i].load()) ::unlink(g_paths[i]);
  for (int i = kSlots - 1; i >= 0; --i)
    if (g_used[i].load() && g_is_dir[i].load()) ::rmdir(g_paths[i]);
}

extern "C" void on_signal(int sig) {
  if (g_scopes.load() > 0 && g_signal.load() == 0) {
    g_signal.store(sig);  // the loop stops at its next safe point
    return;
  }
  remove_registered();
  write_stderr(sig == SIGINT ? "\nenflow: interrupted by SIGINT\n"
                             : "\nenflow: interrupted by SIGTERM\n");
  ::_exit(128 + sig);
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int interrupt_signal() { return g_signal.load(); }

std::string signal_name(int sig) {
  if (sig == SIGINT) return "SIGINT";
  if (sig == SIGTERM) return "SIGTERM";
  return "signal " + std::to_string(sig);
}

InterruptScope::InterruptScope() { g_scopes.fetch_add(1); }
InterruptScope::~InterruptScope() {
  if (g_scopes.fetch_sub(1) == 1) g_signal.store(0);
}

void throw_if_interrupted(const std::string& what) {
  if (const int sig = g_signal.load()) {
    throw Interrupted(sig, "interrupted by " + signal_name(sig) + "; " + what);
  }
}

ScopedTempPath::ScopedTempPath(std::string path, bool directory)
    : path_(std::move(path)), directory_(directory) {
  if (path_.size() >= kPathMax) return;  // still removed by the destructor
  std::lock_guard<std::mutex> lock(g_slot_mutex);
  for (int i = 0; i < kSlots; ++i) {
    if (!g_used[i].load()) {
      std::memcpy(g_paths[i], path_.c_str(), path_.size() + 1);
      g_is_dir[i].store(directory_);
      g_used[i].store(true);
      slot_ = i;
      break;
    }
  }
}

void ScopedTempPath::release() {
  if (slot_ >= 0) {
    std::lock_guard<std::mutex> lock(g_slot_mutex);
    g_used[slot_].store(false);
    slot_ = -1;
  }
  path_.clear();
}

ScopedTempPath::~ScopedTempPath() {
  if (path_.empty()) return;
  std::error_code ec;
  if (directory_)
    std::filesystem::remove_all(path_, ec);
  else
    std::filesystem::remove(path_, ec);
  release();
}

}  // namespace enflow
