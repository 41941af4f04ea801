// --signatures DIR: the built-in signatures and the folder's together. A folder file with a
// built-in id replaces that signature; a new id is added (an administrator writes one file for
// a screen vtpilot does not know, and keeps every other). One set per process: the command's.
#include <iostream>
#include <optional>

#include "commands.hpp"

namespace vtpilot::cli {

namespace {
std::optional<Recognizer>& overlaid() {
  static std::optional<Recognizer> r;
  return r;
}
}  // namespace

const Recognizer& active_recognizer() { return overlaid() ? *overlaid() : Recognizer::builtin(); }

bool use_signatures(const std::string& dir, const char* who) {
  if (dir.empty()) return true;
  Recognizer r = Recognizer::builtin().clone();
  std::vector<SignatureError> errors;
  std::vector<std::string> replaced;
  if (!r.overlay_path(dir, errors, &replaced)) {
    for (auto& e : errors) std::cerr << e.str() << "\n";
    std::cerr << "vtpilot " << who << ": --signatures " << dir << ": fix the errors above"
              << (std::string(who) == "check" ? std::string() : " (vtpilot check --signatures " + dir + ")") << "\n";
    return false;
  }
  for (const std::string& id : replaced)
    std::cerr << "vtpilot " << who << ": --signatures: " << id << " replaces the built-in signature of that id\n";
  overlaid() = std::move(r);
  return true;
}

std::string describe_near_misses(const std::vector<NearMiss>& misses, const std::string& indent) {
  if (misses.empty())
    return indent + "no signature comes close: none has a pattern that holds on this screen\n";
  std::string out = indent + "closest signatures (what did not match):\n";
  for (const NearMiss& n : misses) {
    out += indent + "  " + n.id + " (" + n.file + "): " + std::to_string(n.held) + " of " + std::to_string(n.total) +
           " conditions hold\n";
    for (const NearMiss::Failed& f : n.failed)
      out += indent + "    line " + std::to_string(f.line) + ": " +
             (f.key == "none" ? "`none` pattern matched: '" + f.pattern + "'"
              : f.key == "any" ? "no `any` pattern matched: '" + f.pattern + "'"
                               : "`all` pattern did not match: '" + f.pattern + "'") +
             "\n";
  }
  return out;
}

void add_signatures_flag(CLI::App& cmd, std::string& dir) {
  cmd.add_option("--signatures", dir,
                 "a folder of signature files (or one file) added to the built-in ones; a file with a built-in\n"
                 "id replaces that signature (see README: Adding a signature for a new screen)");
}

}  // namespace vtpilot::cli
