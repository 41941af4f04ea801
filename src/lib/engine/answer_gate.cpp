// Echo before Enter. See include/vtpilot/engine/answer_gate.hpp.
#include "vtpilot/engine/answer_gate.hpp"

#include <algorithm>

namespace vtpilot {

double AnswerGate::confirm_after(std::size_t bytes, double now) const {
  // A link slower than the confirm time stretches every wait for an echo to twice the slowest
  // echo seen, so a byte still on its way is not taken for a lost one and typed twice.
  return now + opt_.pacing_s * static_cast<double>(bytes) + std::max(opt_.confirm_timeout_s, 2 * echo_rtt_);
}

void AnswerGate::start(std::string want, bool enter, bool held, std::size_t bytes, double now) {
  active_ = true;
  want_ = std::move(want);
  enter_ = enter;
  held_ = enter && held;
  resent_ = resent_timed_ = false;
  resends_ = 0;
  text_done_ = sent_done_ = now + opt_.pacing_s * static_cast<double>(bytes);
  confirm_by_ = confirm_after(bytes, now);
}

void AnswerGate::resent(std::size_t bytes, double now) {
  ++resends_;
  resent_ = true;
  resent_timed_ = false;  // the window for this copy is set when the echo shows it
  sent_done_ = now + opt_.pacing_s * static_cast<double>(bytes);
  confirm_by_ = confirm_after(bytes, now);
}

void AnswerGate::entered(double now) {
  held_ = false;
  sent_done_ = now + opt_.pacing_s;
  confirm_by_ = confirm_after(1, now);
}

std::optional<double> AnswerGate::deadline() const {
  if (!active_ || enter_in_flight()) return std::nullopt;
  return confirm_by_;
}

AnswerGate::Look AnswerGate::look(const std::optional<std::string>& shown, bool reacted, double now) {
  if (!active_) return {};
  const bool prefix = shown && shown->size() < want_.size() && want_.compare(0, shown->size(), *shown) == 0;
  auto missing = [&]() -> Look {
    if (resends_ >= opt_.max_resends) return {Step::exhausted, {}};
    return {Step::resend, want_.substr(shown->size())};
  };
  if (held_) {
    if (shown && *shown == want_) {
      // The echo seen may be the first copy's (slow, not lost): the copy sent again gets as
      // long as that one took, and half as long again, to show. Only an answer sent once
      // teaches the link's echo time (a re-sent one cannot say which copy echoed).
      if (resent_ && !resent_timed_) {
        resent_timed_ = true;
        confirm_by_ = std::max(confirm_by_, sent_done_ + 1.5 * (now - text_done_));
      }
      if (!resent_) echo_rtt_ = std::max(echo_rtt_, now - text_done_);
      if (resent_ && now < confirm_by_) return {};
      return {Step::enter, {}};
    }
    if (reacted) return {Step::reacted, {}};
    if (now < confirm_by_) return {};  // the echo may still be on its way
    if (prefix) return missing();
    return {Step::mismatch, {}};
  }
  if (reacted) return {Step::taken, {}};
  // An Enter in flight is never sent again: the wait ends with the console's answer or the
  // driver's screen timeout.
  if (enter_ || now < confirm_by_) return {};
  // Text without an Enter: only the part the echo proves missing. Anything else shown means
  // the keys arrived and the console is busy: wait (bounded by the driver's screen timeout).
  if (prefix) return missing();
  return {};
}

}  // namespace vtpilot
