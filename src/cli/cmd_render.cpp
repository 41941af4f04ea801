// vtpilot render FILE: print the final screen the bytes produce (libvterm's bin/unterm, ours).
#include <iostream>

#include "commands.hpp"
#include "vtpilot/term/capture.hpp"
#include "vtpilot/term/terminal.hpp"

namespace vtpilot::cli {

void add_render(CLI::App& app) {
  struct Opts {
    std::string file;
    int rows = 24, cols = 80;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("render", "print the final screen that a file of console bytes produces");
  cmd->add_option("FILE", o->file, "raw console bytes (escape sequences allowed; LF-only text is read as lines)")
      ->required();
  cmd->add_option("--rows", o->rows, "screen rows")->check(CLI::Range(2, 500));
  cmd->add_option("--cols", o->cols, "screen columns")->check(CLI::Range(10, 1000));
  cmd->callback([o] {
    Terminal t(o->rows, o->cols, 0);
    if (auto err = feed_file(o->file, t)) {
      std::cerr << "vtpilot render: " << *err << "\n";
      exit_code() = kUsage;
      return;
    }
    Screen s = t.screen();
    for (const auto& line : s.lines) std::cout << line << "\n";
  });
}

}  // namespace vtpilot::cli
