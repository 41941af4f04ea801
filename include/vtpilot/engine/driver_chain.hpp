#pragma once
// Two drivers on one console, one after the other.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vtpilot/engine/driver.hpp"

namespace vtpilot {

// `run --verify`: the first Driver (the migration plan) until it is done, then the second on
// the same console, transcript and terminal state (the second sees every byte from the start).
// Any other end of the first is the chain's end.
class DriverChain final : public Driver {
 public:
  DriverChain(Driver& first, Driver& second) : first_(first), second_(second) {}
  void on_output(std::string_view bytes, double now) override;
  void evaluate(double now) override;
  void on_close(double now, const std::string& why) override;
  void abort(double now, const std::string& why) override;
  std::optional<Outgoing> take_send() override;
  std::vector<SessionEvent> take_events() override;
  std::optional<double> deadline() const override;
  Outcome outcome() const override;
  int exit_code() const override;
  const std::string& outcome_text() const override;
  Screen screen() const override;
  // The link and the plan's orchestration go to the driver that holds the console: a media
  // swap of the first's plan is the first's, a gap during the conversation the second's.
  void on_detach(double now, const std::string& why) override;
  void on_reattach(double now, const std::string& what) override;
  // The write path's question goes to the driver whose keys it is writing.
  bool keys_still_judged() const override { return active().keys_still_judged(); }
  void keys_dropped(std::size_t bytes, double now) override { active().keys_dropped(bytes, now); }
  std::optional<std::string> take_action() override;
  void action_done(bool ok, const std::string& text, double now) override;
  bool second_started() const { return second_on_; }

 private:
  Driver& active() { return second_on_ ? second_ : first_; }
  const Driver& active() const { return second_on_ ? second_ : first_; }
  Driver& first_;
  Driver& second_;
  bool second_on_ = false;
};

}  // namespace vtpilot
