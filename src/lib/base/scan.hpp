#pragma once
// Byte scans for the two paths every console byte takes: the terminal's plain-lines fast path
// and the transcript's JSON escaping. Install output is ~10 MB per 2-hour run, almost all
// printable ASCII and CRLF, so the question "where is the next byte that is not plain text?"
// is asked of every byte; SSE2 (always there on x86-64) answers it 16 bytes at a time. The
// scalar loops are the definition; the vector loops must give the same index.
#include <cstddef>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vtpilot::scan {

// Index of the first byte of p[0, n) outside printable ASCII 0x20..0x7e, or n.
inline std::size_t first_not_printable(const char* p, std::size_t n) {
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    // Signed compare: bytes 0x80..0xff are negative, so "below 0x20" covers them too.
    const int m = _mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, del)));
    if (m) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(m)));
  }
#endif
  for (; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c >= 0x7f) return i;
  }
  return n;
}

// Index of the first byte a JSON string cannot hold as it is (a control, '"', '\\') or that
// must be checked as UTF-8 (0x7f and up), or n.
inline std::size_t first_json_special(const char* p, std::size_t n) {
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, del)),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    const int m = _mm_movemask_epi8(bad);
    if (m) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(m)));
  }
#endif
  for (; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7f) return i;
  }
  return n;
}

// Whether any byte of p[0, n) is 0x80 or above (not ASCII).
inline bool any_high(const char* p, std::size_t n) {
  std::size_t i = 0;
#if defined(__SSE2__)
  for (; i + 16 <= n; i += 16)
    if (_mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)))) return true;
#endif
  for (; i < n; ++i)
    if (static_cast<unsigned char>(p[i]) & 0x80) return true;
  return false;
}

}  // namespace vtpilot::scan
