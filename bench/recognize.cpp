// bench_recognize [FILE...]: cost of recognizing one 80x24 screen against every signature
// (match only, and match + field parsing), median of several rounds. Default: the fixtures.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "vtpilot/screens/recognizer.hpp"
#include "vtpilot/term/terminal.hpp"

using namespace vtpilot;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  std::vector<std::string> files(argv + 1, argv + argc);
  if (files.empty()) {
    std::filesystem::path dir = std::filesystem::path(VTPILOT_SOURCE_DIR) / "fixtures" / "screens";
    for (auto& e : std::filesystem::recursive_directory_iterator(dir))
      if (e.path().extension() == ".raw") files.push_back(e.path().string());
  }
  std::vector<Screen> screens;
  for (auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    screens.push_back(render(normalize_capture(ss.str())));
  }
  if (screens.empty()) {
    std::fprintf(stderr, "no screens\n");
    return 2;
  }
  const Recognizer& rec = Recognizer::builtin();
  std::vector<std::string> texts;
  for (auto& s : screens) texts.push_back(s.text());
  auto median_us = [&](auto&& body) {
    std::vector<double> rounds;
    for (int round = 0; round < 9; ++round) {
      const int reps = 200;
      auto t0 = Clock::now();
      for (int r = 0; r < reps; ++r)
        for (std::size_t i = 0; i < screens.size(); ++i) body(i);
      double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
      rounds.push_back(us / (reps * static_cast<double>(screens.size())));
    }
    std::sort(rounds.begin(), rounds.end());
    return std::make_pair(rounds[rounds.size() / 2], rounds.front());
  };
  std::size_t sink = 0;
  auto m = median_us([&](std::size_t i) { sink += rec.match_ids(texts[i]).size(); });
  auto f = median_us([&](std::size_t i) { sink += rec.recognize(screens[i]).fields.choices.size(); });
  auto s = median_us([&](std::size_t i) { sink += screens[i].text().size(); });
  std::printf("screens: %zu, signatures: %zu\n", screens.size(), rec.ids().size());
  std::printf("match against all signatures:      median %.2f us  (min %.2f) per screen\n", m.first, m.second);
  std::printf("recognize (match + parse fields):  median %.2f us  (min %.2f) per screen\n", f.first, f.second);
  std::printf("screen text join (included above): median %.2f us\n", s.first);
  return sink == 0 ? 1 : 0;
}
