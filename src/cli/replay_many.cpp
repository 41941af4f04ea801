// replay CAST|DIR... [--jobs N] [--junit FILE]: many casts, in parallel, one line each, and a
// JUnit XML report for CI. Each replay is pure and independent (its own Session, Terminal and
// Guard; the recognizer's caches are per thread), so threads are enough: no shared state.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "commands.hpp"

namespace vtpilot::cli {

namespace {

struct Job {
  std::string path;
  ReplayResult result;
  double seconds = 0;
  bool done = false;
};

// What kind of failure a result is, for the line and the report.
const char* kind_of(const ReplayResult& r) {
  switch (r.exit_code) {
    case 0: return "ok";
    case 3: return "refused";
    case 6: return "diverged";
    default: return "unreadable";
  }
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// Text as XML 1.0 allows it: the five entities escaped, control characters other than TAB, LF
// and CR (which XML cannot carry at all) and bytes that are not UTF-8 shown as '?'.
std::string xml_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '&': out += "&amp;"; continue;
      case '<': out += "&lt;"; continue;
      case '>': out += "&gt;"; continue;
      case '"': out += "&quot;"; continue;
      case '\'': out += "&apos;"; continue;
      default: break;
    }
    if (c < 0x20) {
      out += (c == '\t' || c == '\n' || c == '\r') ? static_cast<char>(c) : '?';
      continue;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
      continue;
    }
    const std::size_t need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool ok = need != 0 && c >= 0xC2 && c <= 0xF4 && i + need <= s.size();
    for (std::size_t k = 1; ok && k < need; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (!ok) {
      out += '?';
      continue;
    }
    out.append(s.substr(i, need));
    i += need - 1;
  }
  return out;
}

std::string junit_xml(const std::vector<Job>& jobs, double total) {
  std::size_t failures = 0;
  for (const Job& j : jobs) failures += j.result.exit_code != kDone;
  char t[64];
  std::snprintf(t, sizeof t, "%.3f", total);
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  const std::string counts = " tests=\"" + std::to_string(jobs.size()) + "\" failures=\"" + std::to_string(failures) +
                             "\" errors=\"0\" time=\"" + t + "\"";
  x += "<testsuites name=\"vtpilot replay\"" + counts + ">\n";
  x += "  <testsuite name=\"vtpilot replay\"" + counts + " skipped=\"0\">\n";
  for (const Job& j : jobs) {
    std::snprintf(t, sizeof t, "%.3f", j.seconds);
    x += "    <testcase classname=\"vtpilot.replay\" name=\"" + xml_text(j.path) + "\" file=\"" + xml_text(j.path) +
         "\" time=\"" + t + "\"";
    if (j.result.exit_code == kDone) {
      x += "/>\n";
      continue;
    }
    // A cast that cannot be replayed is a failure with its reason, never a pass or a skip.
    x += ">\n      <failure type=\"" + std::string(kind_of(j.result)) + "\" message=\"" +
         xml_text(first_line(j.result.report)) + "\">" + xml_text(j.result.report) + "</failure>\n    </testcase>\n";
  }
  x += "  </testsuite>\n</testsuites>\n";
  return x;
}

// The casts named: files as given, folders walked for *.cast (sorted, so reports are stable).
std::optional<std::string> collect(const std::vector<std::string>& args, std::vector<std::string>& casts) {
  namespace fs = std::filesystem;
  for (const std::string& a : args) {
    std::error_code ec;
    const fs::file_status st = fs::status(a, ec);
    if (ec || !fs::exists(st)) return a + ": No such file or directory";
    if (!fs::is_directory(st)) {
      casts.push_back(a);
      continue;
    }
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator it(a, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
         it.increment(ec))
      if (it->path().extension() == ".cast" && it->is_regular_file(ec)) found.push_back(it->path().string());
    if (ec) return a + ": " + ec.message();
    if (found.empty()) return a + ": no .cast files in this folder";
    std::sort(found.begin(), found.end());
    casts.insert(casts.end(), found.begin(), found.end());
  }
  return std::nullopt;
}

}  // namespace

int replay_many(const std::vector<std::string>& args, int jobs_wanted, const std::string& junit, const ReplayOne& one) {
  std::vector<std::string> casts;
  if (auto err = collect(args, casts)) {
    std::cerr << "replay: " << *err << "\n";
    return kUsage;
  }
  // The report file is opened first: a CI job learns at once that it cannot be written.
  std::ofstream report;
  if (!junit.empty()) {
    report.open(junit, std::ios::binary | std::ios::trunc);
    if (!report) {
      std::cerr << "replay: --junit " << junit << ": cannot write: " << std::strerror(errno) << "\n";
      return kUsage;
    }
  }
  std::vector<Job> jobs(casts.size());
  for (std::size_t i = 0; i < casts.size(); ++i) jobs[i].path = casts[i];
  const auto t0 = std::chrono::steady_clock::now();
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  std::condition_variable cv;
  auto worker = [&] {
    for (std::size_t i; (i = next++) < jobs.size();) {
      const auto start = std::chrono::steady_clock::now();
      ReplayResult r = one(jobs[i].path);
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::lock_guard<std::mutex> lock(mu);
      jobs[i].result = std::move(r);
      jobs[i].seconds = secs;
      jobs[i].done = true;
      cv.notify_all();
    }
  };
  const std::size_t n = std::clamp<std::size_t>(static_cast<std::size_t>(jobs_wanted), 1, std::max<std::size_t>(1, jobs.size()));
  std::vector<std::thread> threads;
  for (std::size_t k = 0; k < n; ++k) threads.emplace_back(worker);
  // One line per cast, in the order given, each as soon as it and those before it are done.
  std::size_t agree = 0, diverged = 0, refused = 0, unreadable = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return jobs[i].done; });
    const Job& j = jobs[i];
    const ReplayResult& r = j.result;
    char head[16];
    std::snprintf(head, sizeof head, "%-11s ", kind_of(r));
    std::cout << head << j.path << ": ";
    if (r.exit_code == kDone) {
      ++agree;
      char secs[32];
      std::snprintf(secs, sizeof secs, "%.2f s", j.seconds);
      std::cout << "keys agree (" << r.keys_compared << " key bytes, " << r.output_bytes << " output bytes, " << secs
                << ")\n";
    } else {
      (r.exit_code == kRefused ? refused : r.exit_code == kDiverged ? diverged : unreadable)++;
      std::cout << first_line(r.report) << "\n";
    }
    std::cout << std::flush;
  }
  for (auto& t : threads) t.join();
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // The whole reports of those that failed, after the list.
  for (const Job& j : jobs)
    if (j.result.exit_code != kDone && j.result.report.find('\n') != std::string::npos)
      std::cerr << "\n" << j.path << ":\n  " << j.result.report << "\n";
  std::cout << "replay: " << jobs.size() << " casts: " << agree << " agree, " << diverged << " diverged, " << refused
            << " refused, " << unreadable << " could not be replayed (" << n << " jobs, " << static_cast<int>(total * 100) / 100.0
            << " s)\n";
  if (report.is_open()) {
    report << junit_xml(jobs, total);
    report.close();
    if (!report) {
      std::cerr << "replay: --junit " << junit << ": write failed\n";
      return kUsage;
    }
  }
  // The guard refusing a recorded key is the finding that matters most; then any other failure.
  return refused ? kRefused : (diverged || unreadable) ? kDiverged : kDone;
}

}  // namespace vtpilot::cli
