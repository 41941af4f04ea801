// DriverChain: `run --verify` is the plan, then the shell conversation, on one console.
#include "vtpilot/engine/driver_chain.hpp"

#include <utility>

namespace vtpilot {

void DriverChain::on_output(std::string_view bytes, double now) {
  if (!second_on_) first_.on_output(bytes, now);
  second_.on_output(bytes, now);
}
void DriverChain::evaluate(double now) {
  if (!second_on_) {
    first_.evaluate(now);
    if (first_.outcome() != Outcome::done) return;
    // The first's keys must be gone before the second speaks; the runner takes them first.
    second_on_ = true;
  }
  second_.evaluate(now);
}
void DriverChain::on_close(double now, const std::string& why) { active().on_close(now, why); }
void DriverChain::abort(double now, const std::string& why) { active().abort(now, why); }
std::optional<Outgoing> DriverChain::take_send() {
  if (auto k = first_.take_send()) return k;
  return second_on_ ? second_.take_send() : std::nullopt;
}
std::vector<SessionEvent> DriverChain::take_events() {
  auto a = first_.take_events();
  if (second_on_) {
    auto b = second_.take_events();
    a.insert(a.end(), std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()));
  }
  return a;
}
std::optional<double> DriverChain::deadline() const { return active().deadline(); }
Outcome DriverChain::outcome() const {
  if (!second_on_) return first_.outcome() == Outcome::done ? Outcome::running : first_.outcome();
  return second_.outcome();
}
int DriverChain::exit_code() const { return active().exit_code(); }
const std::string& DriverChain::outcome_text() const { return active().outcome_text(); }
Screen DriverChain::screen() const { return active().screen(); }
void DriverChain::on_detach(double now, const std::string& why) { active().on_detach(now, why); }
void DriverChain::on_reattach(double now, const std::string& what) { active().on_reattach(now, what); }
std::optional<std::string> DriverChain::take_action() {
  // Only the first's plan asks for actions, and only while it holds the console.
  return second_on_ ? std::nullopt : first_.take_action();
}
void DriverChain::action_done(bool ok, const std::string& text, double now) {
  if (!second_on_) first_.action_done(ok, text, now);
}

}  // namespace vtpilot
