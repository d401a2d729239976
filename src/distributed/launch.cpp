// The local launcher (include/enflow/distributed/launch.h): fork/exec of N ranks with the
// torchrun environment, signal forwarding, and an end that leaves no rank behind.
#include "enflow/distributed/launch.h"

#include <arpa/inet.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace enflow::distributed {

namespace {

volatile sig_atomic_t launcher_signal = 0;
extern "C" void launcher_on_signal(int sig) { launcher_signal = sig; }

// The launcher's own SIGINT/SIGTERM handling while the ranks run (enflow's default handler
// would end the launcher and orphan them); the previous handlers come back afterwards.
class ForwardSignals {
 public:
  ForwardSignals() {
    launcher_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = launcher_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~ForwardSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  ForwardSignals(const ForwardSignals&) = delete;
  ForwardSignals& operator=(const ForwardSignals&) = delete;

 private:
  struct sigaction old_int_ {
  }, old_term_{};
};

std::string describe_signal(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? fmt::format("signal {} (SIG{})", sig, abbrev) : fmt::format("signal {}", sig);
}

// The environment of one rank: this process's, with the rendezvous variables replaced.
std::vector<std::string> rank_environment(const LaunchOptions& o, int rank, int port) {
  static const char* const kReplaced[] = {
      "RANK=",        "WORLD_SIZE=",       "LOCAL_RANK=", "MASTER_ADDR=",
      "MASTER_PORT=", "LOCAL_WORLD_SIZE=", "GROUP_RANK="};
  std::vector<std::string> env;
  bool threads_set = false;
  for (char** e = environ; *e; ++e) {
    const std::string s = *e;
    if (std::any_of(std::begin(kReplaced), std::end(kReplaced),
                    [&](const char* k) { return s.rfind(k, 0) == 0; }))
      continue;
    if (o.timeout_seconds > 0 && s.rfind("ENFLOW_DIST_TIMEOUT=", 0) == 0) continue;
    threads_set = threads_set || s.rfind("ENFLOW_NUM_THREADS=", 0) == 0 ||
                  s.rfind("OMP_NUM_THREADS=", 0) == 0;
    env.push_back(s);
  }
  env.push_back("RANK=" + std::to_string(rank));
  env.push_back("LOCAL_RANK=" + std::to_string(rank));
  env.push_back("GROUP_RANK=0");
  env.push_back("WORLD_SIZE=" + std::to_string(o.nproc));
  env.push_back("LOCAL_WORLD_SIZE=" + std::to_string(o.nproc));
  env.push_back("MASTER_ADDR=127.0.0.1");
  env.push_back("MASTER_PORT=" + std::to_string(port));
  if (o.timeout_seconds > 0)
    env.push_back(fmt::format("ENFLOW_DIST_TIMEOUT={:g}", o.timeout_seconds));
  // The cores shared out, as torchrun does: N ranks on all cores each would fight.
  if (!threads_set) {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    env.push_back("ENFLOW_NUM_THREADS=" +
                  std::to_string(std::max(1u, cores / static_cast<unsigned>(o.nproc))));
  }
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& v) {
  std::vector<char*> p;
  for (auto& s : v) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

}  // namespace

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("cannot open a socket to find a free port");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot find a free port of 127.0.0.1 (give --master-port)");
  return ntohs(a.sin_port);
}

LaunchResult launch(const LaunchOptions& o) {
  constexpr int kMaxProcesses = 1024;
  if (o.nproc < 1 || o.nproc > kMaxProcesses)
    throw std::invalid_argument(
        fmt::format("--nproc {} must be in [1, {}]", o.nproc, kMaxProcesses));
  if (o.master_port < 0 || o.master_port > 65535)
    throw std::invalid_argument(fmt::format("--master-port {} is not a port", o.master_port));
  if (o.command.empty())
    throw std::invalid_argument(
        "no command to launch: enflow launch --nproc N -- <enflow command and its options>");
  const int port = o.master_port > 0 ? o.master_port : free_port();
  std::string program = o.program;
  if (program.empty()) {
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n <= 0) throw std::runtime_error("cannot find this executable (/proc/self/exe)");
    program.assign(buf, static_cast<size_t>(n));
  }
  std::vector<std::string> args{program};
  args.insert(args.end(), o.command.begin(), o.command.end());
  auto argv = pointers(args);

  ForwardSignals forward;
  const pid_t launcher = ::getpid();
  std::vector<pid_t> pids(static_cast<size_t>(o.nproc), -1);
  std::vector<bool> running(pids.size(), false);
  auto signal_all = [&](int sig) {
    for (size_t r = 0; r < pids.size(); ++r)
      if (running[r]) ::kill(pids[r], sig);
  };
  for (int r = 0; r < o.nproc; ++r) {
    auto env = rank_environment(o, r, port);
    auto envp = pointers(env);
    const pid_t pid = ::fork();
    if (pid < 0) {
      signal_all(SIGKILL);
      throw std::runtime_error(fmt::format("cannot start rank {}: {}", r, std::strerror(errno)));
    }
    if (pid == 0) {
      // The child: only async-signal-safe calls until exec. Its own process group, so that a
      // terminal's Ctrl-C reaches the launcher alone (which forwards it once); dies with it.
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != launcher) ::_exit(127);
      ::execve(program.c_str(), argv.data(), envp.data());
      ::_exit(127);
    }
    pids[static_cast<size_t>(r)] = pid;
    running[static_cast<size_t>(r)] = true;
  }

  using Clock = std::chrono::steady_clock;
  LaunchResult result;
  Clock::time_point failed_at, terminated_at;
  bool failed = false, terminated = false, killed = false;
  const auto grace = std::chrono::duration<double>(o.grace_seconds);
  auto left = [&] { return std::count(running.begin(), running.end(), true); };
  while (left() > 0) {
    for (size_t r = 0; r < pids.size(); ++r) {
      if (!running[r]) continue;
      int st = 0;
      if (::waitpid(pids[r], &st, WNOHANG) != pids[r]) continue;
      running[r] = false;
      const bool bad = !WIFEXITED(st) || WEXITSTATUS(st) != 0;
      if (bad && !failed && !result.interrupted_by) {
        failed = true;
        failed_at = Clock::now();
        result.failure =
            WIFSIGNALED(st)
                ? fmt::format("rank {} was killed by {}", r, describe_signal(WTERMSIG(st)))
                : fmt::format("rank {} exited with status {}", r, WEXITSTATUS(st));
        result.failure += fmt::format("; the other {} rank{} stopped", o.nproc - 1,
                                      o.nproc == 2 ? " was" : "s were");
      }
    }
    if (const int sig = launcher_signal) {
      launcher_signal = 0;
      if (!result.interrupted_by) result.interrupted_by = sig;
      signal_all(sig);
    }
    const auto now = Clock::now();
    if ((failed || result.interrupted_by) && !terminated) {
      if (!result.interrupted_by && now - failed_at > grace) {
        signal_all(SIGTERM);
        terminated = true;
        terminated_at = now;
      }
      if (result.interrupted_by) {
        terminated = true;  // the forwarded signal was the request to stop
        terminated_at = now;
      }
    }
    if (terminated && !killed && now - terminated_at > grace) {
      signal_all(SIGKILL);
      killed = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return result;
}

}  // namespace enflow::distributed
