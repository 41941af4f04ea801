// vtpilot check [FILE...]: validate signature and plan files (file:line: message).
// A file with [[step]] tables is a plan; any other .toml is a signature.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "vtpilot/run/config.hpp"
#include "vtpilot/base/embedded.hpp"
#include "vtpilot/plan/plan.hpp"
#include "vtpilot/screens/recognizer.hpp"

namespace vtpilot::cli {

namespace {
bool is_plan(std::string_view text) { return text.find("[[step]]") != std::string_view::npos; }

// What `run --config` will refuse on this machine though the file is valid: a password file
// that is missing or that others may read, a transcripts folder that is missing or unwritable,
// a plan whose needs the LPAR's pins do not meet. Warnings: the file may be checked elsewhere.
std::vector<std::string> config_warnings(const Config& c, const std::string& file) {
  std::vector<std::string> out;
  const std::string& pw = c.hmc.password_file;
  struct stat st{};
  if (!pw.empty()) {
    if (::stat(pw.c_str(), &st) != 0)
      out.push_back(file + ": warning: [hmc] password_file " + pw + ": " + std::strerror(errno) + " (run will refuse)");
    else if (!S_ISREG(st.st_mode))
      out.push_back(file + ": warning: [hmc] password_file " + pw + " is not a regular file (run will refuse)");
    else if (st.st_mode & (S_IRWXG | S_IRWXO))
      out.push_back(file + ": warning: [hmc] password_file " + pw + ": others may read it; run will refuse: chmod 600 " + pw);
  }
  std::vector<std::string> folders;
  for (const LparConfig& l : c.lpars) {
    const std::string at = file + ":" + std::to_string(l.line) + ": warning: LPAR `" + l.name + "`: ";
    if (std::find(folders.begin(), folders.end(), l.transcripts) == folders.end()) {
      folders.push_back(l.transcripts);
      if (::stat(l.transcripts.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        out.push_back(at + "transcripts folder " + l.transcripts + " does not exist (run will refuse: mkdir -p " + l.transcripts + ")");
      else if (::access(l.transcripts.c_str(), W_OK | X_OK) != 0)
        out.push_back(at + "transcripts folder " + l.transcripts + ": " + std::strerror(errno) + " (run will refuse)");
    }
    Plan plan;
    std::vector<SignatureError> perr;
    if (resolve_plan(l.plan, Recognizer::builtin(), plan, perr))
      for (const std::string& n : unmet_needs(plan, l.policy)) out.push_back(at + n + " (run will refuse)");
  }
  return out;
}
}  // namespace

void add_check(CLI::App& app) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto signatures = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "check",
      "validate signature files (TOML with PCRE2 patterns), plan files ([[step]] tables) and run --config\n"
      "files ([hmc] and [[lpar]] tables); errors are printed as file:line: message. With no FILE, checks\n"
      "the built-in signatures and plans.\n"
      "A config is also checked against this machine: a missing or readable password file, a missing\n"
      "transcripts folder, a plan's missing pins are warnings (run will refuse them).\n"
      "Exit 0 if all are valid, 2 otherwise.");
  cmd->add_option("FILE", *files, "signature or plan files, or folders of them");
  cmd->add_option("--signatures", *signatures,
                  "check this folder as `--signatures` would add it to the built-in signatures (each file valid,\n"
                  "no id twice in it), and the plans against the result");
  cmd->callback([files, signatures] {
    std::vector<SignatureError> errors;
    std::size_t sigs = 0, plans = 0, configs = 0;
    if (!use_signatures(*signatures, "check")) {
      exit_code() = kUsage;
      return;
    }
    const Recognizer& screens = active_recognizer();
    auto check_plan = [&](const std::string& name, std::string_view text) {
      Plan plan;
      plans += load_plan(name, text, screens, plan, errors);
    };
    if (files->empty()) {
      Recognizer r;
      for (const auto& f : embedded_signatures()) r.add(std::string("(built-in) ") + std::string(f.name), f.text, errors);
      sigs = signatures->empty() ? r.ids().size() : screens.ids().size();
      for (const auto& f : embedded_plans()) check_plan(std::string("(built-in) ") + std::string(f.name), f.text);
    } else {
      std::vector<std::filesystem::path> paths;
      for (const std::string& path : *files) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
          for (auto& e : std::filesystem::directory_iterator(path, ec))
            if (e.path().extension() == ".toml") paths.push_back(e.path());
        } else if (std::filesystem::exists(path, ec)) {
          paths.emplace_back(path);
        } else {
          errors.push_back({path, 0, "no such file or directory"});
        }
      }
      Recognizer r;  // signatures are checked together: a duplicate id across files is an error
      for (const auto& p : paths) {
        std::ifstream in(p, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string text = ss.str();
        if (!in) {
          errors.push_back({p.string(), 0, "cannot read"});
        } else if (looks_like_config(text)) {
          // A run --config file: its own keys, and the plan each LPAR names must load.
          Config c;
          const char* home = std::getenv("HOME");
          if (load_config(p.string(), text, c, errors, home ? home : "")) {
            bool plans_ok = true;
            for (const LparConfig& l : c.lpars) {
              Plan plan;
              std::vector<SignatureError> perr;
              if (!resolve_plan(l.plan, screens, plan, perr)) {
                plans_ok = false;
                for (auto& e : perr) errors.push_back({p.string(), l.line, "LPAR `" + l.name + "`: plan: " + e.str()});
              }
            }
            configs += plans_ok;
            for (const std::string& w : config_warnings(c, p.string())) std::cerr << w << "\n";
          }
        } else if (is_plan(text)) {
          check_plan(p.string(), text);
        } else {
          r.add(p.string(), text, errors);
        }
      }
      sigs = r.ids().size();
    }
    for (const auto& e : errors) std::cerr << e.str() << "\n";
    if (errors.empty())
      std::cout << "ok: " << sigs << " signatures, " << plans << " plans"
                << (configs ? ", " + std::to_string(configs) + " config" + (configs > 1 ? "s" : "") : std::string()) << "\n";
    exit_code() = errors.empty() ? kDone : kUsage;
  });
}

}  // namespace vtpilot::cli
