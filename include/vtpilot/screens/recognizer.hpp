#pragma once
// The recognizer: pure. A screen snapshot in, a named screen with its fields out.
// Signatures are data (TOML files, PCRE2 JIT regexes with named groups), one per screen id.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vtpilot/screens/fields.hpp"

namespace vtpilot {

struct Screen;

struct Recognized {
  std::string id;                       // "" when unknown or ambiguous
  std::vector<std::string> ambiguous;   // every matching id when more than one matched
  Fields fields;
  bool known() const { return !id.empty(); }
};

// A problem in a signature file, reported as file:line: message.
struct SignatureError {
  std::string file;
  int line = 0;
  std::string message;
  std::string str() const;
};

// A signature that almost matched a screen: what held and which patterns did not. What an
// administrator needs to write a signature for a screen (or a level) vtpilot has not seen.
struct NearMiss {
  std::string id;
  std::string file;
  std::size_t held = 0;   // conditions that held: each `all` pattern, the `any` list, each `none` pattern
  std::size_t total = 0;  // conditions the signature has
  struct Failed {
    std::string key;      // "all", "any" (none of the list matched) or "none" (this one matched)
    std::string pattern;  // as written in the file ("any": the list, joined by " | ")
    int line = 0;         // its line in the file
  };
  std::vector<Failed> failed;
};

class Recognizer {
 public:
  Recognizer();
  ~Recognizer();
  Recognizer(Recognizer&&) noexcept;
  Recognizer& operator=(Recognizer&&) noexcept;

  // The signatures compiled into the binary.
  static const Recognizer& builtin();
  // Adds one signature file's text; errors are appended, nothing thrown.
  bool add(std::string_view file_name, std::string_view text, std::vector<SignatureError>& errors);
  // Loads every *.toml in a directory (or a single file).
  bool load_path(const std::string& path, std::vector<SignatureError>& errors);
  // A copy of these signatures, to overlay a folder on (the built-in set stays as it is).
  Recognizer clone() const;
  // Adds the signatures of `path` (a folder of *.toml, or one file) to these: a file whose id
  // is already here replaces that signature, in its place; a new id is added. The folder is
  // checked on its own first (regex errors with file:line, two files with one id, no file at
  // all); on any error nothing changes. `replaced`: the ids that were replaced.
  bool overlay_path(const std::string& path, std::vector<SignatureError>& errors,
                    std::vector<std::string>* replaced = nullptr);

  // Pure; the last result is kept per thread and returned again for an identical screen.
  Recognized recognize(const Screen& screen) const;
  // Only the matching, without parsing fields: the ids whose signature matches.
  std::vector<std::string> match_ids(std::string_view screen_text) const;
  std::vector<std::string> ids() const;
  // Pure: the signatures closest to matching this screen text, each with the patterns that
  // failed, at most `limit`, closest first. Closeness counts each `all` pattern and the `any`
  // list as 1 when it holds, else as half the share of its words the screen shows; a signature
  // is listed from half. Ties: fewest failed patterns, then id.
  std::vector<NearMiss> explain(std::string_view screen_text, std::size_t limit = 3) const;

 private:
  Recognized recognize_uncached(const Screen& screen) const;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vtpilot
