#pragma once
// A small PCRE2 (JIT) wrapper: compiled once, matched many times, no exceptions on match.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vtpilot {

class Regex {
 public:
  struct Match {
    std::vector<std::pair<std::size_t, std::size_t>> spans;  // (offset, length); npos = unset
    std::string_view subject;
    std::string_view group(std::size_t i) const;
    std::size_t end() const { return spans.empty() ? 0 : spans[0].first + spans[0].second; }
  };

  Regex() = default;
  // Throws std::runtime_error with PCRE2's message and offset on a bad pattern.
  explicit Regex(std::string_view pattern, bool multiline = true, bool caseless = false);
  // Compiles without throwing; on failure returns nullopt and sets error / error_offset.
  static std::optional<Regex> compile(std::string_view pattern, std::string& error,
                                      std::size_t& error_offset, bool multiline = true,
                                      bool caseless = false);

  bool search(std::string_view subject, std::size_t start = 0) const;
  std::optional<Match> find(std::string_view subject, std::size_t start = 0) const;
  // A Match points into its subject: a temporary string would be freed while the match is
  // still read (`if (auto m = re.find(screen.text()))` did exactly that). Name it first.
  std::optional<Match> find(std::string&& subject, std::size_t start = 0) const = delete;
  // (name, group number) of every named group.
  std::vector<std::pair<std::string, int>> names() const;
  bool valid() const { return code_ != nullptr; }
  // Patterns compiled so far in this process: how a test sees that a hot path (the guard judging
  // every key) compiles none.
  static std::size_t compiled_count();

 private:
  struct Code;
  std::shared_ptr<const Code> code_;
};

}  // namespace vtpilot
