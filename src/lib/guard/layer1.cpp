// Layer 1 of the guard (design.md "Guard rules"): judges keys by what the recognized screen
// means. Rule 1 (no forbidden method, no plan-forbidden label) on every screen, rule 4 (nothing
// on an unknown screen), the disk screen through disks.cpp, and installing only on what the disk
// screen verified. Layer 2 (layer2.cpp) judges the same keys on the raw text; either refusal wins.
#include "guard/layer1.hpp"

#include <algorithm>
#include <cctype>

#include "guard/disks.hpp"
#include "guard/rules.hpp"
#include "vtpilot/screens/screen_ids.hpp"
#include "vtpilot/base/regex.hpp"
#include "vtpilot/term/screen.hpp"

namespace vtpilot {
namespace guard_impl {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_migration(const std::string& method) { return lower(method).find("migration") != std::string::npos; }

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

}  // namespace

Verdict layer1(const Recognized& r, const Keys& k, const Policy& p, std::optional<Disk>* verified) {
  static const Regex forbidden(kForbidden, false, true);
  const Fields& f = r.fields;
  if (!r.known()) {
    if (p.allow_unknown_screen) return allow();
    return refuse(1, "unknown-screen",
                  r.ambiguous.empty() ? "Refused: vtpilot does not recognize this screen, so it sends nothing here."
                                      : "Refused: two signatures match this screen; nothing is sent until that is fixed.");
  }
  auto label_of = [&](const std::string& key) {
    for (const Choice& c : f.choices)
      if (same_number(c.key, key)) return c.label;
    return std::string();
  };
  // Rule 1 on every line the keys make, in every reading: the numbers, Enter's default, and
  // numbers stuck to other characters ("3x", "3.": a menu may read 3).
  for (const Answer& line : k.lines) {
    std::vector<std::string> chosen = line.numbers;
    if (line.enter_alone()) {
      std::string d = default_key(f);
      if (!d.empty()) chosen.push_back(d);
    }
    chosen.insert(chosen.end(), line.glued.begin(), line.glued.end());
    for (const std::string& key : chosen) {
      std::string label = label_of(key);
      if (forbidden.search(label))
        return refuse(1, "forbidden-method", "Refused: " + key + " chooses \"" + label +
                                                 "\", which destroys rootvg; vtpilot only migrates (Migration Install).");
      if (p.extra_forbidden_labels.matches(label))
        return refuse(1, "plan-forbidden", "Refused: " + key + " (\"" + label + "\") is forbidden by the plan.");
    }
    if (r.id == screen_id::bos_disks)
      for (const std::string& key : line.glued)
        for (const Disk& d : f.disks)
          if (same_number(d.key, key) && !d.selected && is_clone(d, p))
            return refuse(1, "altinst-disk",
                          "Refused: \"" + line.text + "\" carries " + key + ", the alt_disk_copy rollback clone " + d.name +
                              "; send the target's number alone.");
  }
  // From here on, one line as a plan sends it; anything else is judged below as words.
  Answer a = k.lines.front();
  if (!k.plain) {
    a.parsed = false;
    a.text = k.text;
  }
  if (!a.parsed) {
    // Words and navigation letters: fine on firmware and prompts, never on an install decision.
    if (r.id.rfind("bos.", 0) == 0 && r.id != screen_id::bos_console && r.id != screen_id::bos_progress && r.id != screen_id::bos_media_swap)
      return refuse(1, "unparsed-keys", "Refused: only item numbers are sent on install menus.");
    // Words and command lines (a login name, `lspv`) are for AIX's own prompts. Firmware and
    // installer screens take item numbers and one-letter navigation keys (X, M, ESC); a
    // command typed there (the BOS media-swap prompt continues on any Enter) is a bug upstream.
    const auto letters = std::count_if(a.text.begin(), a.text.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
    if (letters >= 2 && (r.id.rfind("bos.", 0) == 0 || r.id.rfind("sms.", 0) == 0 || r.id.rfind("fw.", 0) == 0))
      return refuse(1, "unparsed-keys",
                    "Refused: words and command lines are typed only at AIX prompts (login, shell), never on firmware "
                    "or installer screens.");
    return allow();
  }
  std::vector<std::string> chosen = a.numbers;
  if (a.enter_alone()) {
    std::string d = default_key(f);
    if (!d.empty()) chosen.push_back(d);
  }
  if (r.id == screen_id::bos_disks) return judge_disks(r, a, p, verified);
  // An installer menu answers only its own items; another number is a typo (or text left on the
  // prompt line in front of the keys), never something a plan means.
  if (r.id.rfind("bos.", 0) == 0 && !f.choices.empty())
    for (const std::string& key : chosen)
      if (std::none_of(f.choices.begin(), f.choices.end(), [&](const Choice& c) { return same_number(c.key, key); }))
        return refuse(1, "no-such-item",
                      "Refused: " + key + " is not an item on this screen" +
                          (k.typed.empty() ? std::string(".")
                                           : " (\"" + k.typed + "\" was already typed on the prompt line, in front of the keys)."));

  // What starts the install: Install on Installation and Settings (and on Install Options),
  // Continue on a summary and on Migration Confirmation.
  const bool installs = std::any_of(chosen.begin(), chosen.end(), [&](const std::string& key) {
    const std::string label = label_of(key);
    if (r.id == screen_id::bos_settings || r.id == screen_id::bos_more_options) return key == "0" || label.rfind("Install", 0) == 0;
    if (r.id == screen_id::bos_summary || r.id == screen_id::bos_migration_confirm) return key == "0" || label.rfind("Continue", 0) == 0;
    return false;
  });
  if (!installs) return allow();
  if (r.id == screen_id::bos_more_options)
    return refuse(1, "settings-unknown",
                  "Refused: Install Options does not show the method or the disk, so nothing installs from here; "
                  "choose 99 (Previous Menu) and install from Installation and Settings.");
  if (r.id != screen_id::bos_migration_confirm || f.settings) {  // Migration Confirmation itself says Migration
    if (!f.settings || f.settings->method.empty())
      return refuse(1, "settings-unknown", "Refused: the installation method on this screen could not be read.");
    if (!is_migration(f.settings->method))
      return refuse(1, "forbidden-method", "Refused: the method is \"" + f.settings->method +
                                               "\"; choose 1 (System Settings) and change it to Migration Install first.");
  }
  // Rules 2 and 3 were checked where they can be: on the disk screen. Installing needs that
  // check from this session, and the disks this screen names must be the ones it verified.
  const std::vector<std::string> shown = f.settings ? f.settings->disks : std::vector<std::string>{};
  const auto& v = p.verified_target;
  if (v && !shown.empty() && !same_disk_names(shown, v->names()))
    return refuse(1, "selection-not-exact",
                  "Refused: this screen installs on " + joined(shown) + ", but the disk screen verified " + joined(v->names()) +
                      "; choose 1 (System Settings) and select the target again.");
  if (!v)
    return refuse(1, "disk-not-verified",
                  "Refused: nothing installs until this session has seen the disk screen with exactly the target "
                  "selected (>>>), the rollback clone accounted for; choose 1 (System Settings), Migration Install, and "
                  "select the target there.");
  if (r.id == screen_id::bos_settings && shown.empty())
    return refuse(1, "selection-not-exact", "Refused: the install disk could not be read on this screen.");
  return allow();
}

}  // namespace guard_impl

// Layer 1's: the recognized prompt on the cursor's row, and what follows it up to the cursor.
std::string typed_at_prompt(const Screen& screen, const Fields& f) {
  if (!prompt_at_cursor(screen, f)) return {};
  const std::string left = collapse_blanks(guard_impl::left_of_cursor(screen));
  const std::size_t at = left.find(f.prompt);
  return at == std::string::npos ? std::string() : collapse_blanks(std::string_view(left).substr(at + f.prompt.size()));
}

}  // namespace vtpilot
