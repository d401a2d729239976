#include "enflow/io/import.h"

#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "enflow/io/atomic_file.h"
#include "enflow/runtime.h"

namespace enflow::io {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error("import '" + path + "': " + what);
}

std::string lower_extension(const std::string& path) {
  auto ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

bool parse_number(const std::string& tok, double* v) {
  if (tok.empty()) return false;
  const char* s = tok.c_str();
  char* end = nullptr;
  *v = std::strtod(s, &end);
  return end == s + tok.size();
}

std::vector<std::string> split_row(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool any_comma = line.find(',') != std::string::npos;
  for (char ch : line) {
    const bool sep = any_comma ? ch == ',' : std::isspace(static_cast<unsigned char>(ch));
    if (sep) {
      if (any_comma || !cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (!(any_comma && std::isspace(static_cast<unsigned char>(ch)))) {
      cur += ch;
    }
  }
  if (!cur.empty() || (any_comma && !out.empty())) out.push_back(cur);
  return out;
}

/// Rows of numbers [N, C] from a text file.
torch::Tensor read_text(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  std::vector<double> values;
  size_t cols = 0, rows = 0, lineno = 0;
  bool header_allowed = true;
  while (std::getline(f, line)) {
    ++lineno;
    if (lineno == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 BOM
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    if (line[first] == '%' || line[first] == '#') continue;
    auto toks = split_row(line);
    std::vector<double> row(toks.size());
    size_t numbers = 0;
    for (size_t i = 0; i < toks.size(); ++i) numbers += parse_number(toks[i], &row[i]) ? 1 : 0;
    // A header is a line of names only, before the first row: a row with one typo ("1.0O")
    // is an error, never a header that silently drops the row.
    if (numbers == 0 && header_allowed) {
      header_allowed = false;
      continue;
    }
    if (numbers != toks.size()) {
      size_t bad = 0;
      while (bad < toks.size() && parse_number(toks[bad], &row[bad])) ++bad;
      fail(path, "line " + std::to_string(lineno) + ": not a number: '" + toks[bad] + "'");
    }
    header_allowed = false;
    if (cols == 0) cols = row.size();
    if (row.size() != cols)
      fail(path, "line " + std::to_string(lineno) + ": " + std::to_string(row.size()) +
                     " columns, expected " + std::to_string(cols));
    for (double v : row)
      if (!std::isfinite(v))
        fail(path, "line " + std::to_string(lineno) + ": NaN or infinite value");
    values.insert(values.end(), row.begin(), row.end());
    ++rows;
  }
  if (rows == 0) fail(path, "no data rows");
  return torch::tensor(values, torch::kFloat64)
      .view({static_cast<int64_t>(rows), static_cast<int64_t>(cols)});
}

/// A .npy array as float64 (version 1/2/3 headers, little-endian, C order).
torch::Tensor read_npy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char magic[8];
  if (!f.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) fail(path, "not a .npy file");
  uint32_t hlen = 0;
  if (magic[6] == 1) {
    unsigned char b[2];
    if (!f.read(reinterpret_cast<char*>(b), 2)) fail(path, "truncated header");
    hlen = b[0] | (b[1] << 8);
  } else {
    unsigned char b[4];
    if (!f.read(reinterpret_cast<char*>(b), 4)) fail(path, "truncated header");
    hlen = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
  }
  if (hlen > (1u << 20)) fail(path, "header too long");
  std::string header(hlen, '\0');
  if (!f.read(header.data(), hlen)) fail(path, "truncated header");
  auto field = [&](const std::string& key) {
    auto k = header.find("'" + key + "'");
    if (k == std::string::npos) fail(path, "header lacks '" + key + "'");
    return header.substr(header.find(':', k) + 1);
  };
  auto descr = field("descr");
  descr = descr.substr(descr.find('\'') + 1);
  descr = descr.substr(0, descr.find('\''));
  if (field("fortran_order").find("True") < field("fortran_order").find(','))
    fail(path, "Fortran-ordered arrays are not supported; save with C order");
  auto shape_s = field("shape");
  shape_s = shape_s.substr(shape_s.find('(') + 1);
  shape_s = shape_s.substr(0, shape_s.find(')'));
  std::vector<int64_t> shape;
  std::stringstream ss(shape_s);
  std::string tok;
  while (std::getline(ss, tok, ',')) {
    tok.erase(std::remove_if(tok.begin(), tok.end(), ::isspace), tok.end());
    if (tok.empty()) continue;
    double v;
    if (!parse_number(tok, &v) || v < 0 || v > 4e18 || v != std::floor(v))
      fail(path, "bad shape in header");
    shape.push_back(static_cast<int64_t>(v));
  }
  torch::ScalarType type;
  size_t width;
  if (descr == "<f8")
    type = torch::kFloat64, width = 8;
  else if (descr == "<f4")
    type = torch::kFloat32, width = 4;
  else if (descr == "<i8")
    type = torch::kInt64, width = 8;
  else if (descr == "<i4")
    type = torch::kInt32, width = 4;
  else
    fail(path, "unsupported dtype '" + descr + "' (float64, float32, int64, int32)");
  // The header's shape against the bytes that follow it, before allocating anything: a
  // damaged header must not ask for petabytes.
  const std::streamoff data_start = f.tellg();
  f.seekg(0, std::ios::end);
  const std::streamoff available = f.tellg() - data_start;
  f.seekg(data_start);
  int64_t numel = 1;
  for (const int64_t n : shape) {
    if (n != 0 && numel > std::numeric_limits<int64_t>::max() / static_cast<int64_t>(width) / n)
      fail(path, "the shape in its header is too large");
    numel *= n;
  }
  if (numel * static_cast<int64_t>(width) > available)
    fail(path, "file is shorter than its header says (" + std::to_string(numel) + " values need " +
                   std::to_string(numel * static_cast<int64_t>(width)) + " bytes, " +
                   std::to_string(available) + " follow the header)");
  auto out = torch::empty(shape, type);
  const auto bytes = static_cast<std::streamsize>(out.numel() * width);
  if (bytes > 0 && !f.read(static_cast<char*>(out.data_ptr()), bytes))
    fail(path, "file is shorter than its header says");
  return out.to(torch::kFloat64);
}

// The step of records without a time column: --dt, or 1 with a warning (every rate and
// energy the model learns is per unit of this step).
double time_step(const std::string& path, const ImportOptions& o) {
  if (o.dt > 0) return o.dt;
  enflow::warn(path +
               ": no time column and no --dt: time step 1 assumed (give the record's step "
               "with --dt)");
  return 1.0;
}

// A record as its series before they become a dataset: states [len, D], times [len] and the
// id a user names the series by (the series column's value, or the index).
struct ImportedSeries {
  std::vector<torch::Tensor> x, t;
  std::vector<double> id;
  bool has_time = false;  // time stamps from the file, not k·dt
};

ImportedSeries from_table(const std::string& path, const torch::Tensor& table,
                          const ImportOptions& o) {
  const int64_t C = table.size(1);
  std::vector<std::string> roles = o.columns;
  if (roles.empty()) roles.assign(C, "x");
  if (static_cast<int64_t>(roles.size()) != C)
    fail(path, std::to_string(C) + " columns but --columns names " + std::to_string(roles.size()));
  int64_t series_col = -1, t_col = -1;
  std::vector<int64_t> state_cols;
  for (int64_t j = 0; j < C; ++j) {
    const auto& r = roles[j];
    if (r == "series") {
      if (series_col >= 0) fail(path, "two 'series' columns");
      series_col = j;
    } else if (r == "t") {
      if (t_col >= 0) fail(path, "two 't' columns");
      t_col = j;
    } else if (r != "_") {
      state_cols.push_back(j);
    }
  }
  if (state_cols.empty()) fail(path, "no state columns");
  // Series boundaries: where the series id changes.
  std::vector<int64_t> starts{0};
  const int64_t N = table.size(0);
  auto acc = table.accessor<double, 2>();
  if (series_col >= 0)
    for (int64_t i = 1; i < N; ++i)
      if (acc[i][series_col] != acc[i - 1][series_col]) starts.push_back(i);
  starts.push_back(N);
  auto states = table.index_select(1, torch::tensor(state_cols, torch::kInt64));
  const double dt = t_col >= 0 ? 0.0 : time_step(path, o);
  ImportedSeries r;
  r.has_time = t_col >= 0;
  for (size_t s = 0; s + 1 < starts.size(); ++s) {
    const int64_t from = starts[s], len = starts[s + 1] - from;
    r.x.push_back(states.narrow(0, from, len));
    r.t.push_back(t_col >= 0 ? table.select(1, t_col).narrow(0, from, len)
                             : torch::arange(len, torch::kFloat64) * dt);
    r.id.push_back(series_col >= 0 ? acc[from][series_col] : static_cast<double>(s));
    const auto& t = r.t.back();
    if (len > 1 && !(t.narrow(0, 1, len - 1) > t.narrow(0, 0, len - 1)).all().item<bool>())
      fail(path,
           fmt::format("time stamps must increase within each series (series {:g})", r.id.back()));
  }
  return r;
}

// Keeps the series named by --series, in the order given.
void select_series(const std::string& path, ImportedSeries& r, const std::vector<double>& ids) {
  if (ids.empty()) return;
  ImportedSeries kept;
  kept.has_time = r.has_time;
  for (const double id : ids) {
    const auto it = std::find(r.id.begin(), r.id.end(), id);
    if (it == r.id.end()) {
      std::string known;
      for (size_t k = 0; k < r.id.size() && k < 8; ++k)
        known += fmt::format("{}{:g}", k ? ", " : "", r.id[k]);
      fail(path, fmt::format("--series {:g}: no such series (the file has {}{})", id, known,
                             r.id.size() > 8 ? ", ..." : ""));
    }
    const auto k = it - r.id.begin();
    kept.x.push_back(r.x[k]);
    kept.t.push_back(r.t[k]);
    kept.id.push_back(id);
  }
  r = std::move(kept);
}

// Splits series where consecutive time stamps are more than max_gap apart; pieces of a
// single time point cannot make a pair and are dropped (with a warning).
void split_at_gaps(const std::string& path, ImportedSeries& r, double max_gap) {
  if (max_gap <= 0) return;
  if (!r.has_time) fail(path, "--max-gap needs time stamps: give a 't' column with --columns");
  ImportedSeries out;
  out.has_time = true;
  int64_t dropped = 0, gaps = 0;
  for (size_t s = 0; s < r.x.size(); ++s) {
    const auto t = r.t[s].contiguous();
    const auto* tp = t.data_ptr<double>();
    const int64_t len = t.size(0);
    int64_t from = 0;
    for (int64_t i = 1; i <= len; ++i) {
      if (i < len && tp[i] - tp[i - 1] <= max_gap) continue;
      if (i < len) ++gaps;
      if (i - from >= 2) {
        out.x.push_back(r.x[s].narrow(0, from, i - from));
        out.t.push_back(r.t[s].narrow(0, from, i - from));
        out.id.push_back(r.id[s]);
      } else {
        ++dropped;
      }
      from = i;
    }
  }
  if (dropped > 0)
    enflow::warn(
        fmt::format("{}: {} gap(s) wider than --max-gap {:g}; {} isolated time point(s) "
                    "between gaps dropped",
                    path, gaps, max_gap, dropped));
  if (out.x.empty())
    fail(path, fmt::format("no two time points closer than --max-gap {:g}", max_gap));
  r = std::move(out);
}

// Every series into `chunks` consecutive pieces of equal length (the rows that do not fill a
// last piece are dropped), each keeping its own time stamps.
void cut_into_chunks(const std::string& path, ImportedSeries& r, int64_t chunks) {
  if (chunks <= 1) return;
  ImportedSeries out;
  out.has_time = r.has_time;
  for (size_t s = 0; s < r.x.size(); ++s) {
    const int64_t T = r.x[s].size(0), len = T / chunks;
    if (len < 2)
      fail(path, "cannot cut " + std::to_string(T) + " time points into " + std::to_string(chunks) +
                     " chunks of at least 2");
    for (int64_t c = 0; c < chunks; ++c) {
      out.x.push_back(r.x[s].narrow(0, c * len, len));
      out.t.push_back(r.t[s].narrow(0, c * len, len));
      out.id.push_back(r.id[s]);
    }
  }
  r = std::move(out);
}

// The series as a dataset: dt the common step when every step is the same (0: irregular);
// t [T] when, moreover, every series shares the stamps of the longest, else [S, T].
Dataset to_dataset(const ImportedSeries& r) {
  Dataset d;
  set_ragged_series(d, r.x, r.t);
  const int64_t S = d.states.size(0), T = d.states.size(1);
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  bool shared = true;
  int64_t longest = 0;
  for (int64_t s = 0; s < S; ++s)
    if (series_length(d, s) > series_length(d, longest)) longest = s;
  const auto ref = series_times(d, longest);
  for (int64_t s = 0; s < S; ++s) {
    const auto t = series_times(d, s);
    if (t.size(0) > 1) {
      auto h = t.narrow(0, 1, t.size(0) - 1) - t.narrow(0, 0, t.size(0) - 1);
      lo = std::min(lo, h.min().item<double>());
      hi = std::max(hi, h.max().item<double>());
    }
    shared = shared && torch::equal(t, ref.narrow(0, 0, t.size(0)));
  }
  const bool uniform = T > 1 && hi - lo <= 1e-9 * std::abs(hi);
  d.dt = uniform ? 0.5 * (lo + hi) : 0.0;
  if (shared && uniform) d.t = ref.clone();
  return d;
}

}  // namespace

Dataset import_trajectories(const std::string& path, const ImportOptions& o) {
  if (!std::filesystem::exists(path)) fail(path, "no such file");
  require_readable(path);
  if (!(o.dt >= 0) || !std::isfinite(o.dt)) fail(path, "dt must be >= 0");
  if (!(o.train_fraction >= 0 && o.train_fraction <= 1))
    fail(path, "train fraction must be in [0, 1]");
  if (o.chunks < 1) fail(path, "chunks must be >= 1");
  if (!(o.max_gap >= 0) || !std::isfinite(o.max_gap)) fail(path, "max gap must be >= 0");
  ImportedSeries r;
  const auto ext = lower_extension(path);
  if (ext == ".npy") {
    auto a = read_npy(path);
    if (!torch::isfinite(a).all().item<bool>()) fail(path, "array contains NaN or infinite values");
    if (a.dim() == 2) {
      r = from_table(path, a.contiguous(), o);
    } else if (a.dim() == 3) {
      if (!o.columns.empty()) fail(path, "--columns applies to 2-D arrays [T, columns] only");
      const double dt = time_step(path, o);
      for (int64_t s = 0; s < a.size(0); ++s) {
        r.x.push_back(a[s]);
        r.t.push_back(torch::arange(a.size(1), torch::kFloat64) * dt);
        r.id.push_back(static_cast<double>(s));
      }
    } else {
      fail(path, "array must be [steps, columns] or [series, steps, dim], got rank " +
                     std::to_string(a.dim()));
    }
  } else if (ext == ".txt" || ext == ".csv" || ext == ".dat" || ext == ".tsv") {
    r = from_table(path, read_text(path), o);
  } else {
    fail(path, "unknown file type '" + ext + "' (.txt, .csv, .dat, .tsv, .npy)");
  }
  select_series(path, r, o.series);
  split_at_gaps(path, r, o.max_gap);
  for (size_t s = 0; s < r.x.size(); ++s)
    if (r.x[s].size(0) < 2)
      fail(path, fmt::format("series {:g} has {} time point; each series needs at least 2", r.id[s],
                             r.x[s].size(0)));
  cut_into_chunks(path, r, o.chunks);
  Dataset d = to_dataset(r);
  d.system = o.system;
  d.params = o.params;
  d.seed = 0;
  d.source = "import " + std::filesystem::path(path).filename().string();
  const int64_t S = d.states.size(0);
  if (S == 1) {
    d.train = {0};
  } else {
    const auto ntrain = static_cast<int64_t>(std::floor(o.train_fraction * S + 1e-9));
    for (int64_t i = 0; i < S; ++i) (i < ntrain ? d.train : d.test).push_back(i);
  }
  return d;
}

}  // namespace enflow::io
