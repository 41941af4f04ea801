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
#include "toml_errors.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vtpilot/embedded.hpp"
#include "vtpilot/recognizer.hpp"
#include "vtpilot/regex.hpp"
#include "vtpilot/screen.hpp"

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

  auto load = [&](const char* key, std::vector<Regex>& out) {
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
    }
  };
  load("all", sig.all);
  load("any", sig.any);
  load("none", sig.none);
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

std::vector<std::string> Recognizer::ids() const {
  std::vector<std::string> out;
  for (const Signature& s : impl_->sigs) out.push_back(s.id);
  return out;
}

}  // namespace vtpilot
