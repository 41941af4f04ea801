// Arbitrary console bytes in any chunking: the terminal and the recognizer never crash, the
// fast path equals libvterm alone, and the chunking never changes the screen or the screen id.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vtpilot/recognizer.hpp"
#include "vtpilot/screen.hpp"

using namespace vtpilot;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const unsigned step = 1 + data[0] % 97;  // the first byte picks the chunk size
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  Terminal chunked(24, 80, 64), whole(24, 80, 64), slow(24, 80, 64);
  slow.set_fast_path(false);
  for (std::size_t i = 0; i < bytes.size(); i += step) chunked.feed(bytes.substr(i, step));
  whole.feed(bytes);
  slow.feed(bytes);
  const Screen a = chunked.screen(), b = whole.screen(), c = slow.screen();
  if (!(a == b) || !(b == c) || chunked.history() != whole.history() || whole.history() != slow.history()) std::abort();
  const Recognized ra = Recognizer::builtin().recognize(a);
  const Recognized rb = Recognizer::builtin().recognize(b);
  if (ra.id != rb.id) std::abort();
  return 0;
}
