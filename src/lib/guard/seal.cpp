// The seal on approved keys: only the guard can make an Approved, and the single write path
// spends it once. The seal is a per-process random value a forged or moved-from Approved lacks.
#include <cstdio>
#include <cstdlib>
#include <random>

#include "vtpilot/guard/guard.hpp"

namespace vtpilot {

namespace {

std::uint64_t seal_value() {
  static const std::uint64_t v = [] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^ 0x9e3779b97f4a7c15ULL;
  }();
  return v;
}

}  // namespace

Approved::Approved(std::string keys, std::uint64_t seal) : keys_(std::move(keys)), seal_(seal) {}
Approved::Approved(Approved&& other) noexcept
    : keys_(std::move(other.keys_)), verified_(std::move(other.verified_)), seal_(other.seal_), spent_(other.spent_) {
  other.spent_ = true;
  other.seal_ = 0;
}
Approved::~Approved() = default;

std::string Approved::spend() {
  // Always on, release builds included (mosh's fatal_assert): nothing reaches a console unjudged.
  if (spent_ || seal_ != seal_value()) {
    std::fputs("vtpilot: internal error: keys were about to be sent without the guard's approval; stopping\n", stderr);
    std::abort();
  }
  spent_ = true;
  return std::move(keys_);
}

std::variant<Approved, Verdict> Guard::approve(const Recognized& recognized, const Screen& screen,
                                               std::string_view keys) const {
  std::optional<VerifiedTarget> verified;
  Verdict v = judge(recognized, screen, keys, policy_, &verified);
  if (!v.allow) return v;
  Approved a(std::string(keys), seal_value());
  a.verified_ = std::move(verified);
  return a;
}

std::variant<Approved, Verdict> Guard::approve_vterm_control(std::string_view keys, const VtermFacts& facts) {
  Verdict v = judge_vterm_control(keys, facts);
  if (!v.allow) return v;
  return Approved(std::string(keys), seal_value());
}

}  // namespace vtpilot
