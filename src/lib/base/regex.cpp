#include "vtpilot/base/regex.hpp"

#include <pcre2.h>

#include <atomic>
#include <stdexcept>

namespace vtpilot {

struct Regex::Code {
  pcre2_code* code = nullptr;
  ~Code() { pcre2_code_free(code); }
};

namespace {
std::atomic<std::size_t> compiled{0};

// One match-data block per thread, big enough for any of our patterns.
pcre2_match_data* scratch() {
  thread_local std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
      pcre2_match_data_create(64, nullptr), &pcre2_match_data_free);
  return md.get();
}
}  // namespace

std::string_view Regex::Match::group(std::size_t i) const {
  if (i >= spans.size() || spans[i].first == std::string_view::npos) return {};
  return subject.substr(spans[i].first, spans[i].second);
}

std::optional<Regex> Regex::compile(std::string_view pattern, std::string& error,
                                    std::size_t& error_offset, bool multiline, bool caseless) {
  int err = 0;
  PCRE2_SIZE off = 0;
  // Byte mode, not PCRE2_UTF: screen text may carry anything, and our patterns are ASCII.
  uint32_t opts = 0;
  if (multiline) opts |= PCRE2_MULTILINE;
  if (caseless) opts |= PCRE2_CASELESS;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   opts, &err, &off, nullptr);
  if (!code) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof buf);
    error = reinterpret_cast<const char*>(buf);
    error_offset = off;
    return std::nullopt;
  }
  // JIT-compiled here, at start-up, not before the first match: a console-sim run matches
  // every signature pattern sooner or later, and compiling them lazily put ~1.5 ms of JIT
  // compilation into the answer to the first prompts (bench/README.md).
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if JIT is absent
  compiled.fetch_add(1, std::memory_order_relaxed);
  Regex r;
  auto c = std::make_shared<Code>();
  c->code = code;
  r.code_ = std::move(c);
  return r;
}

std::size_t Regex::compiled_count() { return compiled.load(std::memory_order_relaxed); }

Regex::Regex(std::string_view pattern, bool multiline, bool caseless) {
  std::string error;
  std::size_t offset = 0;
  auto r = compile(pattern, error, offset, multiline, caseless);
  if (!r) throw std::runtime_error("bad regex at offset " + std::to_string(offset) + ": " + error);
  *this = std::move(*r);
}

static int run(const pcre2_code* code, std::string_view s, std::size_t start, pcre2_match_data* md) {
  if (start > s.size()) return PCRE2_ERROR_NOMATCH;
  return pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), start, 0, md, nullptr);
}

bool Regex::search(std::string_view subject, std::size_t start) const {
  if (!code_) return false;
  return run(code_->code, subject, start, scratch()) >= 0;
}

std::optional<Regex::Match> Regex::find(std::string_view subject, std::size_t start) const {
  if (!code_) return std::nullopt;
  pcre2_match_data* md = scratch();
  int rc = run(code_->code, subject, start, md);
  if (rc < 0) return std::nullopt;
  uint32_t count = 0;
  pcre2_pattern_info(code_->code, PCRE2_INFO_CAPTURECOUNT, &count);
  PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
  Match m;
  m.subject = subject;
  for (uint32_t i = 0; i <= count; ++i) {
    if (static_cast<int>(i) < rc && ov[2 * i] != PCRE2_UNSET)
      m.spans.emplace_back(ov[2 * i], ov[2 * i + 1] - ov[2 * i]);
    else
      m.spans.emplace_back(std::string_view::npos, 0);
  }
  return m;
}

std::vector<std::pair<std::string, int>> Regex::names() const {
  std::vector<std::pair<std::string, int>> out;
  if (!code_) return out;
  uint32_t count = 0, size = 0;
  PCRE2_SPTR table = nullptr;
  pcre2_pattern_info(code_->code, PCRE2_INFO_NAMECOUNT, &count);
  pcre2_pattern_info(code_->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
  pcre2_pattern_info(code_->code, PCRE2_INFO_NAMETABLE, &table);
  for (uint32_t i = 0; i < count; ++i) {
    const unsigned char* e = table + i * size;
    int n = (e[0] << 8) | e[1];
    out.emplace_back(reinterpret_cast<const char*>(e + 2), n);
  }
  return out;
}

}  // namespace vtpilot
