// The plan's forbidden labels, compiled once when the list is set (see policy.hpp).
#include "vtpilot/guard/policy.hpp"

#include <utility>

#include "vtpilot/base/regex.hpp"

namespace vtpilot {

struct ForbiddenLabels::Compiled {
  std::vector<Regex> regexes;
};

ForbiddenLabels::ForbiddenLabels(std::vector<std::string> patterns) : patterns_(std::move(patterns)) {
  auto c = std::make_shared<Compiled>();
  for (const std::string& p : patterns_) {
    std::string err;
    std::size_t off = 0;
    // Case-insensitive, one label at a time: the flags both layers always used.
    if (auto re = Regex::compile(p, err, off, false, true)) c->regexes.push_back(std::move(*re));
  }
  compiled_ = std::move(c);
}

ForbiddenLabels::ForbiddenLabels(std::initializer_list<std::string> patterns)
    : ForbiddenLabels(std::vector<std::string>(patterns)) {}

bool ForbiddenLabels::matches(std::string_view label) const {
  if (!compiled_) return false;
  for (const Regex& re : compiled_->regexes)
    if (re.search(label)) return true;
  return false;
}

}  // namespace vtpilot
