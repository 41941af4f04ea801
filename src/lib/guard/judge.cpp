// The guard's entry (design.md "Guard rules"): pure code, two independent layers, one choke
// point. Layer 2 (layer2.cpp) reads only the raw screen text with its own tiny scanner; layer 1
// (layer1.cpp) judges what the recognized screen means. Either layer's refusal wins, and layer 2
// is asked first: a wrong signature or a parser bug cannot open the door.
#include <optional>
#include <utility>

#include "guard/disks.hpp"
#include "guard/keys.hpp"
#include "guard/layer1.hpp"
#include "guard/layer2.hpp"
#include "vtpilot/guard/guard.hpp"

namespace vtpilot {

Verdict judge(const Recognized& recognized, const Screen& screen, std::string_view keys, const Policy& policy) {
  return judge(recognized, screen, keys, policy, nullptr);
}

Verdict judge(const Recognized& recognized, const Screen& screen, std::string_view keys, const Policy& policy,
              std::optional<VerifiedTarget>* verified) {
  if (verified) verified->reset();
  if (Verdict v2 = guard_impl::layer2(screen, keys, policy); !v2.allow) return v2;
  // What the console will submit: the text already typed after the prompt, then the keys.
  const Fields& f = recognized.fields;
  const std::string typed = typed_at_prompt(screen, f);
  std::optional<Disk> row;
  Verdict v = guard_impl::layer1(recognized, guard_impl::parse_keys(typed, keys), policy, &row);
  if (v.allow && row && verified) {
    VerifiedTarget t;
    t.names_ = guard_impl::split_names(row->name);
    t.location_ = row->location;
    t.pvid_ = row->pvid;
    *verified = std::move(t);
  }
  return v;
}

}  // namespace vtpilot
