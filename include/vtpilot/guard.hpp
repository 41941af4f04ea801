#pragma once
// The safety guard: pure code, not data, the one choke point for every key.
// Rules: ../shared/design.md "Guard rules". Plans may add stricter rules, never looser ones.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vtpilot/recognizer.hpp"

namespace vtpilot {

struct Screen;

// Which disk is the install target and which is the rollback clone.
// A pinned PVID or location code outranks the hdisk name (names change when booted from media).
struct Policy {
  std::string target_name = "hdisk0";
  std::string target_location;   // physical location code, "" = not pinned
  std::string target_pvid;       // "" = not pinned
  std::string clone_location;
  std::string clone_pvid;
  bool rollback_required = true;
  // false in `run` and `replay`: nothing is sent on an unrecognized screen (rule 4).
  // `step` sets it true for operator keys; layer 2 still applies.
  bool allow_unknown_screen = false;
  // Stricter rules a plan adds: labels (ECMAScript regex, case-insensitive) never to choose.
  std::vector<std::string> extra_forbidden_labels;
};

struct Verdict {
  bool allow = false;
  std::string code;    // stable reason code: "forbidden-method", "altinst-disk", ...; "" on allow
  std::string reason;  // one sentence for a tired operator: what is wrong and what to do
  int layer = 0;       // 1 = recognized fields, 2 = raw-text scan, 0 = allow
};

// Judges `keys` (what would be typed, e.g. "3\r", "\r", "1") on this screen.
Verdict judge(const Recognized& recognized, const Screen& screen, std::string_view keys,
              const Policy& policy);

// Keys the guard allowed. Only Guard::approve can make one, and it can be spent once:
// the transports' single write path takes an Approved and nothing else.
class Approved {
 public:
  Approved(Approved&&) noexcept;
  Approved& operator=(Approved&&) = delete;
  Approved(const Approved&) = delete;
  ~Approved();
  std::string_view keys() const { return keys_; }
  // Called by the write path; aborts (even in release builds) if spent twice or not judged.
  std::string spend();

 private:
  friend class Guard;
  Approved(std::string keys, std::uint64_t seal);
  std::string keys_;
  std::uint64_t seal_ = 0;
  bool spent_ = false;
};

class Guard {
 public:
  explicit Guard(Policy policy) : policy_(std::move(policy)) {}
  const Policy& policy() const { return policy_; }
  // Allow gives keys that can be sent; Refuse gives the verdict with its reason.
  std::variant<Approved, Verdict> approve(const Recognized& recognized, const Screen& screen,
                                          std::string_view keys) const;

 private:
  Policy policy_;
};

}  // namespace vtpilot
