// vtpilot check [FILE...]: validate signature (and, once plans land, plan) files.
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "vtpilot/embedded.hpp"
#include "vtpilot/recognizer.hpp"

namespace vtpilot::cli {

void add_check(CLI::App& app) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand(
      "check",
      "validate signature files (TOML with PCRE2 patterns); errors are printed as file:line: message.\n"
      "With no FILE, checks the built-in signatures. Exit 0 if all are valid, 2 otherwise.");
  cmd->add_option("FILE", *files, "signature files or folders of them");
  cmd->callback([files] {
    std::vector<SignatureError> errors;
    std::size_t count = 0;
    if (files->empty()) {
      Recognizer r;
      for (const auto& f : embedded_signatures()) r.add(std::string("(built-in) ") + std::string(f.name), f.text, errors);
      count = r.ids().size();
    } else {
      for (const std::string& path : *files) {
        Recognizer r;  // one file's problems do not hide another's
        if (!std::filesystem::exists(path)) {
          errors.push_back({path, 0, "no such file or directory"});
          continue;
        }
        r.load_path(path, errors);
        count += r.ids().size();
      }
    }
    for (const auto& e : errors) std::cerr << e.str() << "\n";
    if (errors.empty()) std::cout << "ok: " << count << " signatures\n";
    exit_code() = errors.empty() ? kDone : kUsage;
  });
}

}  // namespace vtpilot::cli
