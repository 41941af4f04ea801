// Signature files (TOML) -> compiled PCRE2 patterns -> screen ids.
//
// A signature file:
//   id   = "bos.disks"                 # screen id (design.md), unique across files
//   all  = ['pattern', ...]            # every one must match the screen text
//   any  = ['pattern', ...]            # optional: at least one must match
//   none = ['pattern', ...]            # optional: none may match
// Patterns are PCRE2, multi-line (^ and $ at each row); the text is the screen's rows joined
// with '\n', trailing blanks trimmed. Named groups in `all` patterns become Fields::captures.
// Tie-break rule: there is none. Two signatures matching one screen is reported as ambiguous
// (both ids), never resolved by order.
#include "screens/toml_errors.hpp"

#include <algorithm>
#include <cctype>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vtpilot/base/embedded.hpp"
#include "vtpilot/screens/recognizer.hpp"
#include "vtpilot/base/regex.hpp"
#include "vtpilot/term/screen.hpp"

namespace vtpilot {

std::string SignatureError::str() const {
  // Line 0: about the file as a whole (missing, unreadable), not a line in it.
  return file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + message;
}

namespace {
struct Signature {
  std::string id;
  std::string file;
  std::vector<Regex> all, any, none;
  // The same patterns as written, with their lines (for explain).
  struct Source {
    std::string text;
    int line = 0;
  };
  std::vector<Source> all_src, any_src, none_src;
};
}  // namespace

namespace {
std::atomic<std::uint64_t> g_signature_sets{0};
}  // namespace

struct Recognizer::Impl {
  std::vector<Signature> sigs;
  // Names this set of signatures for the cache in recognize(): new on construction and on
  // every change, never reused (a later recognizer at the same address has another one).
  std::uint64_t set_id = ++g_signature_sets;
};

Recognizer::Recognizer() : impl_(std::make_unique<Impl>()) {}
Recognizer::~Recognizer() = default;
Recognizer::Recognizer(Recognizer&&) noexcept = default;
Recognizer& Recognizer::operator=(Recognizer&&) noexcept = default;

const Recognizer& Recognizer::builtin() {
  static const Recognizer r = [] {
    Recognizer rec;
    std::vector<SignatureError> errors;
    for (const auto& f : embedded_signatures()) rec.add(f.name, f.text, errors);
    // The build embeds what `vtpilot check` and the tests validate; a broken file here is a
    // build defect, so fail loudly rather than drive a console half-blind.
    if (!errors.empty()) {
      for (auto& e : errors) fprintf(stderr, "vtpilot: built-in signature error: %s\n", e.str().c_str());
      std::abort();
    }
    return rec;
  }();
  return r;
}

bool Recognizer::add(std::string_view file_name, std::string_view text, std::vector<SignatureError>& errors) {
  const std::string file(file_name);
  const std::size_t before = errors.size();
  auto parsed = parse_toml(text, file, errors);
  if (!parsed) return false;
  const toml::table& tbl = *parsed;

  Signature sig;
  sig.file = file;
  const toml::node* idn = tbl.get("id");
  if (!idn || !idn->is_string()) {
    errors.push_back({file, line_of(idn), "missing `id = \"screen.id\"`"});
    return false;
  }
  sig.id = idn->as_string()->get();
  static const Regex id_shape(R"(^[a-z][a-z0-9]*\.[a-z][a-z0-9_]*$)");
  if (!id_shape.search(sig.id))
    errors.push_back({file, line_of(idn), "id `" + sig.id + "` is not of the form area.name"});
  for (const Signature& other : impl_->sigs)
    if (other.id == sig.id)
      errors.push_back({file, line_of(idn), "id `" + sig.id + "` is already defined in " + other.file});

  for (auto&& [k, v] : tbl) {
    std::string key(k.str());
    if (key != "id" && key != "all" && key != "any" && key != "none" && key != "description")
      errors.push_back({file, line_of(&v), "unknown key `" + key + "` (expected id, description, all, any, none)"});
  }

  auto load = [&](const char* key, std::vector<Regex>& out, std::vector<Signature::Source>& src) {
    const toml::node* n = tbl.get(key);
    if (!n) return;
    const toml::array* arr = n->as_array();
    if (!arr) {
      errors.push_back({file, line_of(n), std::string("`") + key + "` must be an array of strings"});
      return;
    }
    for (const toml::node& item : *arr) {
      if (!item.is_string()) {
        errors.push_back({file, line_of(&item), std::string("`") + key + "` holds a non-string"});
        continue;
      }
      std::string err;
      std::size_t off = 0;
      auto re = Regex::compile(item.as_string()->get(), err, off);
      if (!re) {
        errors.push_back({file, line_of(&item),
                          "bad regex in `" + std::string(key) + "` at offset " + std::to_string(off) + ": " + err});
        continue;
      }
      out.push_back(std::move(*re));
      src.push_back({item.as_string()->get(), line_of(&item)});
    }
  };
  load("all", sig.all, sig.all_src);
  load("any", sig.any, sig.any_src);
  load("none", sig.none, sig.none_src);
  if (sig.all.empty() && sig.any.empty() && errors.size() == before)
    errors.push_back({file, 1, "signature `" + sig.id + "` has no `all` or `any` pattern: it would match every screen"});
  if (errors.size() != before) return false;
  impl_->sigs.push_back(std::move(sig));
  impl_->set_id = ++g_signature_sets;
  return true;
}

bool Recognizer::load_path(const std::string& path, std::vector<SignatureError>& errors) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> files;
  if (fs::is_directory(path, ec)) {
    for (auto& e : fs::directory_iterator(path, ec))
      if (e.path().extension() == ".toml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
  } else {
    files.emplace_back(path);
  }
  bool ok = true;
  for (auto& p : files) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      errors.push_back({p.string(), 0, "cannot read signature file"});
      ok = false;
      continue;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    ok = add(p.string(), ss.str(), errors) && ok;
  }
  return ok;
}

Recognizer Recognizer::clone() const {
  Recognizer r;
  r.impl_->sigs = impl_->sigs;  // Regex shares its compiled code: a copy is cheap and immutable
  return r;
}

bool Recognizer::overlay_path(const std::string& path, std::vector<SignatureError>& errors,
                              std::vector<std::string>* replaced) {
  Recognizer folder;
  const std::size_t before = errors.size();
  folder.load_path(path, errors);
  if (errors.size() != before) return false;
  if (folder.impl_->sigs.empty()) {
    errors.push_back({path, 0, "no signature files (*.toml) in it"});
    return false;
  }
  for (Signature& s : folder.impl_->sigs) {
    auto same = std::find_if(impl_->sigs.begin(), impl_->sigs.end(), [&](const Signature& o) { return o.id == s.id; });
    if (same != impl_->sigs.end()) {
      if (replaced) replaced->push_back(s.id);
      *same = std::move(s);
    } else {
      impl_->sigs.push_back(std::move(s));
    }
  }
  impl_->set_id = ++g_signature_sets;
  return true;
}

namespace {
bool matches(const Signature& s, std::string_view text) {
  for (const Regex& r : s.all)
    if (!r.search(text)) return false;
  if (!s.any.empty() && std::none_of(s.any.begin(), s.any.end(), [&](const Regex& r) { return r.search(text); }))
    return false;
  for (const Regex& r : s.none)
    if (r.search(text)) return false;
  return true;
}
}  // namespace

std::vector<std::string> Recognizer::match_ids(std::string_view text) const {
  std::vector<std::string> out;
  for (const Signature& s : impl_->sigs)
    if (matches(s, text)) out.push_back(s.id);
  return out;
}

Recognized Recognizer::recognize(const Screen& screen) const {
  // Recognition is pure: the same signatures and the same screen give the same result. A
  // session looks at the screen again when nothing changed (after its keys went out, before
  // the console answers; on a timer), so the last result is kept, per thread, and returned
  // for an identical screen instead of matching every signature and parsing the fields again.
  struct Last {
    std::uint64_t set_id = 0;
    Screen screen;
    Recognized result;
  };
  thread_local Last last;
  if (last.set_id == impl_->set_id && last.screen == screen) return last.result;
  last.set_id = 0;  // until the new result is in
  Recognized r = recognize_uncached(screen);
  last.screen = screen;
  last.result = r;
  last.set_id = impl_->set_id;
  return r;
}

Recognized Recognizer::recognize_uncached(const Screen& screen) const {
  Recognized r;
  const std::string text = screen.text();
  const Signature* hit = nullptr;
  for (const Signature& s : impl_->sigs) {
    if (!matches(s, text)) continue;
    if (hit && r.ambiguous.empty()) r.ambiguous.push_back(hit->id);
    if (hit) r.ambiguous.push_back(s.id);
    hit = &s;
  }
  r.fields = parse_fields(screen);
  if (!hit || !r.ambiguous.empty()) return r;
  r.id = hit->id;
  for (const Regex& re : hit->all) {
    auto names = re.names();
    if (names.empty()) continue;
    if (auto m = re.find(text))
      for (auto& [name, n] : names)
        if (!m->group(static_cast<std::size_t>(n)).empty()) r.fields.captures[name] = std::string(m->group(static_cast<std::size_t>(n)));
  }
  return r;
}

namespace {
// The words a pattern spells out (runs of 4+ letters once escapes like \s, \b, \( are removed):
// how near a failed pattern came is how many of its words the screen shows ("Change Disks Where
// You Want to Install" against 'Change Disk\(s\) Where You Want to Install').
std::vector<std::string> words_of(std::string_view pattern) {
  std::vector<std::string> out;
  std::string w;
  auto flush = [&] {
    if (w.size() >= 4) out.push_back(w);
    w.clear();
  };
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      flush();
      ++i;
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c))) {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

double words_shown(std::string_view pattern, const std::string& lower_text) {
  const auto words = words_of(pattern);
  if (words.empty()) return 0;
  std::size_t shown = 0;
  for (const auto& w : words) shown += lower_text.find(w) != std::string::npos;
  return static_cast<double>(shown) / static_cast<double>(words.size());
}
}  // namespace

std::vector<NearMiss> Recognizer::explain(std::string_view text, std::size_t limit) const {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<std::pair<double, NearMiss>> scored;
  for (const Signature& s : impl_->sigs) {
    if (matches(s, text)) continue;  // not a near miss: it matches
    NearMiss n{s.id, s.file, 0, 0, {}};
    double score = 0;
    // A condition that holds counts 1; a failed one half the share of its words the screen shows
    // (all its words there, in another order or spelling, is half a match).
    for (std::size_t i = 0; i < s.all.size(); ++i) {
      ++n.total;
      if (s.all[i].search(text)) {
        ++n.held;
        score += 1;
      } else {
        n.failed.push_back({"all", s.all_src[i].text, s.all_src[i].line});
        score += 0.5 * words_shown(s.all_src[i].text, lower);
      }
    }
    if (!s.any.empty()) {
      ++n.total;
      if (std::any_of(s.any.begin(), s.any.end(), [&](const Regex& r) { return r.search(text); })) {
        ++n.held;
        score += 1;
      } else {
        std::string list;
        double best = 0;
        for (const auto& src : s.any_src) {
          list += (list.empty() ? "" : " | ") + src.text;
          best = std::max(best, words_shown(src.text, lower));
        }
        n.failed.push_back({"any", list, s.any_src.front().line});
        score += 0.5 * best;
      }
    }
    const std::size_t positive = n.total;
    for (std::size_t i = 0; i < s.none.size(); ++i) {
      ++n.total;
      if (!s.none[i].search(text)) ++n.held;
      else n.failed.push_back({"none", s.none_src[i].text, s.none_src[i].line});
    }
    // Close: half of what its `all` and `any` conditions ask holds (or is shown in other words).
    const double closeness = positive ? score / static_cast<double>(positive) : 0;
    if (closeness >= 0.5) scored.emplace_back(closeness, std::move(n));
  }
  std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    if (a.second.failed.size() != b.second.failed.size()) return a.second.failed.size() < b.second.failed.size();
    return a.second.id < b.second.id;
  });
  std::vector<NearMiss> out;
  for (auto& [score, n] : scored) {
    if (out.size() == limit) break;
    out.push_back(std::move(n));
  }
  return out;
}

std::vector<std::string> Recognizer::ids() const {
  std::vector<std::string> out;
  for (const Signature& s : impl_->sigs) out.push_back(s.id);
  return out;
}

}  // namespace vtpilot
