#include "reproduce_util.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "commands.h"
#include "enflow/io/atomic_file.h"
#include "enflow/runtime.h"

namespace enflow::cli {

namespace fs = std::filesystem;

fs::path config_dir(const std::string& sub, const std::string& who) {
  for (const fs::path& d :
       {fs::path("configs") / sub,
        fs::read_symlink("/proc/self/exe").parent_path() / ".." / "configs" / sub}) {
    if (fs::is_directory(d)) return d;
  }
  throw std::runtime_error(who + ": cannot find configs/" + sub +
                           " (run it from the repository root)");
}

double TrialStats::mean() const {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? NAN : s / static_cast<double>(v.size());
}

double TrialStats::sd() const {
  if (v.size() < 2) return NAN;
  double m = mean(), s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

std::string TrialStats::str() const {
  if (v.empty() || std::isnan(mean())) return "—";
  if (v.size() < 2) return fmt::format("{:.3e}", mean());
  return fmt::format("{:.3e} ± {:.1e}", mean(), sd());
}

void run_noted(const std::string& name, const std::vector<std::string>& args, const NoteFn& note) {
  note(command_line(name, args));
  if (run_command(name, args) != 0) throw std::runtime_error(name + " failed");
}

std::string train_row(const fs::path& config, const std::string& data, const std::string& dir,
                      uint64_t seed, const std::vector<std::string>& extra, bool resume,
                      const NoteFn& note) {
  fs::create_directories(dir);
  const std::string model = dir + "/model.pt";
  std::vector<std::string> args{
      "--config", config.string(),         "--set", "data.path=" + data,
      "--set",    "output.model=" + model, "--set", fmt::format("run.seed={}", seed)};
  args.insert(args.end(), extra.begin(), extra.end());
  // --resume: continue from the row's checkpoint (a finished one is reused as is).
  if (resume) args.push_back("--resume");
  run_noted("train", args, note);
  return model;
}

std::string paper_str(double x) { return std::isnan(x) ? "—" : fmt::format("{:.3e}", x); }

void write_text(const std::string& path, const std::string& text) {
  io::write_bytes_atomically(path, text);
}

void write_report(const std::string& root, const std::string& header, const std::string& table,
                  const std::vector<std::string>& commands, const std::string& json, bool json_out,
                  const std::string& what) {
  std::string cmds = "\nCommands (what each row ran):\n\n```sh\n";
  for (const auto& c : commands) cmds += c + "\n";
  cmds += "```\n";
  write_text(root + "/table.md", header + table + cmds);
  write_text(root + "/results.json", json);
  if (json_out) {
    fmt::print("{}", json);
  } else {
    fmt::print("{}{}\nwrote {}/table.md, results.json and {}\n", header, table, root, what);
  }
}

CaseFilter::CaseFilter(const std::string& env, const std::vector<std::string>& known) : env_(env) {
  const char* v = std::getenv(env.c_str());
  value_ = v ? v : "";
  for (size_t a = 0; a <= value_.size();) {
    size_t b = value_.find(',', a);
    if (b == std::string::npos) b = value_.size();
    const std::string name = value_.substr(a, b - a);
    if (!name.empty()) {
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        throw std::invalid_argument(env + ": unknown case '" + name + "' (known: " + list + ")");
      }
      names_.push_back(name);
    }
    a = b + 1;
  }
}

bool CaseFilter::keeps(const std::string& name) const {
  return names_.empty() || std::find(names_.begin(), names_.end(), name) != names_.end();
}

std::string CaseFilter::command_prefix() const {
  return names_.empty() ? "" : env_ + "=" + value_ + " ";
}

std::string command_line(const std::string& name, const std::vector<std::string>& args) {
  std::string line = "enflow " + name;
  for (const auto& a : args) {
    const bool plain = !a.empty() && std::all_of(a.begin(), a.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_./=,:+-", c);
    });
    line += " " + (plain ? a : '"' + a + '"');
  }
  return line;
}

int run_command(const std::string& name, const std::vector<std::string>& args) {
  const auto& spec = CommandRegistry::instance().at(name);
  CLI::App app{"enflow"};
  auto* sub = app.add_subcommand(name, spec.description);
  Common common;
  auto action = spec.setup(*sub, common);
  std::vector<std::string> words{"enflow", name};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<const char*> argv;
  for (const auto& w : words) argv.push_back(w.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return action();
}

ProtocolRun::ProtocolRun(const std::string& out_dir, const std::string& name,
                         const std::string& config_sub, int threads, bool json)
    : root(out_dir + "/" + name), cfg_dir(config_dir(config_sub, "reproduce " + name)) {
  init_threads(threads > 0 ? threads : 0);
  fs::create_directories(root + "/data");
  note = [this, json](const std::string& cmd) {
    commands.push_back(cmd);
    if (!json) fmt::print(stderr, "{}\n", cmd);
  };
}

}  // namespace enflow::cli
