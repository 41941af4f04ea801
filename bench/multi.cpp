// bench_multi N LINES SIM [PLAN]: N console-sims driven concurrently by one vtpilot process
// (one Asio loop, N sessions, N transcripts). Prints one line of key=value pairs: CPU (this
// process only, not the simulators), peak RSS, and the latency of every prompt of every console.
#include <utility>  // before Asio

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "vtpilot/plan/plan.hpp"
#include "vtpilot/record/recorder.hpp"
#include "vtpilot/run/runner.hpp"
#include "vtpilot/engine/session.hpp"
#include "vtpilot/transport/transport.hpp"

using namespace vtpilot;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_multi N LINES CONSOLE-SIM [PLAN.toml]\n");
    return 2;
  }
  const int n = std::atoi(argv[1]);
  const std::string lines = argv[2], sim = argv[3];
  const std::string plan_path = argc > 4 ? argv[4] : std::string(VTPILOT_SOURCE_DIR) + "/bench/console-sim.toml";
  Plan plan;
  std::vector<SignatureError> errors;
  if (!resolve_plan(plan_path, Recognizer::builtin(), plan, errors)) {
    for (auto& e : errors) std::fprintf(stderr, "%s\n", e.str().c_str());
    return 2;
  }
  auto dir = std::filesystem::temp_directory_path() / ("vtpilot-multi-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  boost::asio::io_context io;
  std::vector<std::unique_ptr<Session>> sessions;
  std::vector<std::unique_ptr<Recorder>> recorders;
  std::vector<std::unique_ptr<LiveRun>> runs;
  int ok = 0, finished = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    sessions.push_back(std::make_unique<Session>(plan, Recognizer::builtin(), Guard(Policy{}), EngineOptions{}));
    recorders.push_back(std::make_unique<Recorder>());
    recorders.back()->open((dir / ("c" + std::to_string(i) + ".cast")).string(), 80, 24, "multi", 0);
    std::string cmd = sim + " --install-lines " + lines + " --quiet --latency-file " +
                      (dir / ("lat" + std::to_string(i))).string() + " --stats-file " + (dir / ("st" + std::to_string(i))).string();
    RunOptions ro;
    ro.pacing_s = 0;
    runs.push_back(std::make_unique<LiveRun>(io, *sessions.back(), make_spawn_transport(io, cmd), *recorders.back(), ro));
    runs.back()->start([&](const RunResult& r) {
      ok += r.exit_code == 0 && r.child_status == 0;
      ++finished;
    });
  }
  io.run();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  struct rusage self {};
  ::getrusage(RUSAGE_SELF, &self);
  double cpu = self.ru_utime.tv_sec + self.ru_utime.tv_usec / 1e6 + self.ru_stime.tv_sec + self.ru_stime.tv_usec / 1e6;
  std::vector<double> lat;
  long long bytes = 0;
  for (int i = 0; i < n; ++i) {
    std::ifstream in(dir / ("lat" + std::to_string(i)));
    std::string id;
    double us;
    while (in >> id >> us) lat.push_back(us / 1000.0);
    std::ifstream st(dir / ("st" + std::to_string(i)));
    std::string kv;
    while (st >> kv)
      if (kv.rfind("bytes=", 0) == 0) bytes += std::atoll(kv.c_str() + 6);
  }
  std::sort(lat.begin(), lat.end());
  // Nearest rank, as run-peers.sh computes it.
  auto pct = [&](double p) {
    if (lat.empty()) return 0.0;
    std::size_t k = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(lat.size())));
    return lat[std::min(lat.size() - 1, k == 0 ? 0 : k - 1)];
  };
  // One line of key=value pairs (bench/run.sh collects them into multi.csv).
  std::printf("consoles=%d ok=%d finished=%d lines=%s bytes=%lld wall_s=%.3f cpu_s=%.3f cpu_per_console_s=%.4f "
              "maxrss_kb=%ld prompts=%zu lat_p50_ms=%.3f lat_p99_ms=%.3f lat_max_ms=%.3f\n",
              n, ok, finished, lines.c_str(), bytes, wall, cpu, cpu / n, self.ru_maxrss, lat.size(), pct(50), pct(99),
              lat.empty() ? 0.0 : lat.back());
  std::filesystem::remove_all(dir);
  return ok == n ? 0 : 1;
}
