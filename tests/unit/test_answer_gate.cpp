// AnswerGate alone: echo before Enter, on what a console shows and virtual time. The drivers'
// own tests (test_session.cpp, test_shell.cpp) drive it through real screens and byte streams.
#include <doctest/doctest.h>

#include "vtpilot/engine/answer_gate.hpp"

using namespace vtpilot;
using Step = AnswerGate::Step;

namespace {

AnswerGate gate(int max_resends = 3) { return AnswerGate(AnswerGateOptions{0, 1, max_resends}); }

}  // namespace

TEST_CASE("answer gate: an echo split across reads gets the Enter only once it shows the whole text") {
  AnswerGate g = gate();
  g.start("vt100", true, true, 5, 0);
  CHECK(g.enter_held());
  CHECK(g.look(std::string(), false, 0.1).step == Step::wait);
  CHECK(g.look(std::string("vt"), false, 0.2).step == Step::wait);    // more may be on its way
  CHECK(g.look(std::string("vt10"), false, 0.3).step == Step::wait);
  CHECK(g.look(std::string("vt100"), false, 0.4).step == Step::enter);
  g.entered(0.4);
  CHECK(g.enter_in_flight());
  CHECK_FALSE(g.deadline());  // an Enter in flight: only the driver's screen timeout ends the wait
  CHECK(g.look(std::string("vt100"), true, 0.5).step == Step::taken);
}

TEST_CASE("answer gate: a missing digit is re-sent once, alone, and its Enter waits out the copy's window") {
  AnswerGate g = gate();
  g.start("2", true, true, 1, 0);
  CHECK(g.look(std::string(), false, 0.9).step == Step::wait);  // within the confirm time
  REQUIRE(g.deadline());
  CHECK(*g.deadline() == doctest::Approx(1));
  const AnswerGate::Look again = g.look(std::string(), false, 1.1);
  CHECK(again.step == Step::resend);
  CHECK(again.rest == "2");  // only the digit, never "2\r", never a bare Enter
  g.resent(1, 1.1);
  CHECK(g.resends() == 1);
  CHECK(g.look(std::string(), false, 1.15).step == Step::wait);  // not re-sent again within its window
  // "2" shows 1.2 s after the first copy went: maybe that slow copy. The re-sent copy gets
  // 1.5 x 1.2 s from its own send before the Enter goes, so a twin shows first.
  CHECK(g.look(std::string("2"), false, 1.2).step == Step::wait);
  CHECK(g.look(std::string("2"), false, 2.8).step == Step::wait);
  CHECK(g.look(std::string("2"), false, 2.95).step == Step::enter);
  CHECK(g.resends() == 1);
}

TEST_CASE("answer gate: the twin of a slow digit ('55') is a mismatch, never an Enter") {
  AnswerGate g = gate();
  g.start("5", true, true, 1, 0);
  CHECK(g.look(std::string(), false, 1.1).step == Step::resend);
  g.resent(1, 1.1);
  CHECK(g.look(std::string("5"), false, 1.2).step == Step::wait);   // the first copy, slow
  CHECK(g.look(std::string("55"), false, 1.3).step == Step::wait);  // the second: within its window
  for (double t : {3.0, 5.0, 60.0}) CHECK(g.look(std::string("55"), false, t).step == Step::mismatch);
}

TEST_CASE("answer gate: other text shown, or the line gone, gets no Enter") {
  AnswerGate g = gate();
  g.start("3", true, true, 1, 0);
  CHECK(g.look(std::string("1"), false, 0.5).step == Step::wait);
  CHECK(g.look(std::string("1"), false, 1.0).step == Step::mismatch);
  CHECK(g.look(std::nullopt, false, 1.0).step == Step::mismatch);
  // The console acting on the text before its Enter voids the answer.
  CHECK(g.look(std::nullopt, true, 0.5).step == Step::reacted);
}

TEST_CASE("answer gate: re-sends are bounded per answer, and a new answer starts the count again") {
  AnswerGate g = gate(2);
  g.start("3", true, true, 1, 0);
  double t = 0;
  for (int i = 0; i < 2; ++i) {
    t += 1.1;
    CHECK(g.look(std::string(), false, t).step == Step::resend);
    g.resent(1, t);
  }
  CHECK(g.look(std::string(), false, t + 1.1).step == Step::exhausted);
  g.start("1", true, true, 1, 10);
  CHECK(g.look(std::string(), false, 11.1).step == Step::resend);
}

TEST_CASE("answer gate: an Enter is never sent twice, however long nothing answers it") {
  AnswerGate g = gate();
  g.start("2", true, true, 1, 0);
  CHECK(g.look(std::string("2"), false, 0.1).step == Step::enter);
  g.entered(0.1);
  int enters = 0;
  for (double t = 0.2; t < 1000; t += 0.7) {
    const Step st = g.look(std::string("2"), false, t).step;
    CHECK(st == Step::wait);
    enters += st == Step::enter;
  }
  CHECK(enters == 0);
  // The same for an answer whose Enter went with it (a secret is never echoed).
  AnswerGate w = gate();
  w.start("Pw-1", true, false, 5, 0);
  CHECK(w.enter_in_flight());
  for (double t = 0.2; t < 100; t += 0.7) CHECK(w.look(std::string(), false, t).step == Step::wait);
}

TEST_CASE("answer gate: text without an Enter gets only its missing rest, and anything else shown is waited for") {
  AnswerGate g = gate();
  g.start("12", false, false, 2, 0);
  CHECK(g.look(std::string("1"), false, 0.5).step == Step::wait);
  const AnswerGate::Look l = g.look(std::string("1"), false, 1.1);
  CHECK(l.step == Step::resend);
  CHECK(l.rest == "2");
  g.resent(1, 1.1);
  CHECK(g.look(std::string("x"), false, 5).step == Step::wait);  // keys arrived, the console is busy
  CHECK(g.look(std::nullopt, true, 5).step == Step::taken);
}

TEST_CASE("answer gate: a slow link learned from one echo stretches the next wait, paced bytes first") {
  AnswerGateOptions o{0.1, 1, 3};
  AnswerGate g(o);
  g.start("vt100", true, true, 5, 0);
  REQUIRE(g.deadline());
  CHECK(*g.deadline() == doctest::Approx(0.5 + 1));  // five bytes paced 0.1 s apart, then the confirm time
  CHECK(g.look(std::string("vt100"), false, 3.5).step == Step::enter);  // echo 3 s after the last byte
  g.entered(3.5);
  CHECK(g.echo_rtt() == doctest::Approx(3.0));
  g.start("1", true, true, 1, 10);
  CHECK(*g.deadline() == doctest::Approx(10 + 0.1 + 6));  // twice the echo time, not the confirm time
  CHECK(g.look(std::string(), false, 12).step == Step::wait);
}
