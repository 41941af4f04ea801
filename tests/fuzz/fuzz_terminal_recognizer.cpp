// Arbitrary console bytes in any chunking: the terminal and the recognizer never crash, the
// fast path equals libvterm alone, and the chunking never changes the screen, the history or
// the recognition (one screen, so one recognition).
// Input: 8 bytes that seed the chunking, then the console bytes. Every chunk length (1..128,
// with long runs of 1-byte chunks) comes from that seed, so libFuzzer explores cuts inside
// escape sequences, UTF-8 and CRLF independently of the bytes themselves.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "vtpilot/screens/recognizer.hpp"
#include "vtpilot/term/terminal.hpp"

using namespace vtpilot;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  std::uint64_t seed;
  std::memcpy(&seed, data, 8);
  std::string_view bytes(reinterpret_cast<const char*>(data + 8), size - 8);
  auto next_len = [&]() -> std::size_t {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    const unsigned r = static_cast<unsigned>(seed >> 33);
    return (r & 3) == 0 ? 1 : 1 + (r >> 2) % 128;
  };
  Terminal chunked(24, 80, 64), whole(24, 80, 64), slow(24, 80, 64);
  slow.set_fast_path(false);
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t n = next_len();
    chunked.feed(bytes.substr(i, n));
    i += n;
  }
  whole.feed(bytes);
  slow.feed(bytes);
  const Screen a = chunked.screen(), b = whole.screen(), c = slow.screen();
  if (!(a == b) || !(b == c) || chunked.history() != whole.history() || whole.history() != slow.history()) std::abort();
  // The screens are equal, so one recognition stands for all three; it must not crash, and
  // it never both names a screen and reports two signatures.
  const Recognized r = Recognizer::builtin().recognize(a);
  if (r.known() && !r.ambiguous.empty()) std::abort();
  return 0;
}
