# Sourced by scripts/sanitize and scripts/fuzz: one instrumented build serves both, so CI
# compiles the tree twice (the README's build, this one), not three times.
# clang, ASan + UBSan on every target (vtpilot, lpar-sim, the tests), libFuzzer's coverage
# everywhere (-fsanitize=fuzzer-no-link: it changes nothing for programs that are not fuzz
# targets), the fuzz targets themselves, and -O1 -g1: line tables keep reports at file:line,
# and it compiles in about 40% of the time -O2 -g takes (-O1 is also what ASan's
# documentation recommends).
ASAN_BUILD_DIR=${ASAN_BUILD_DIR:-build-asan}
asan_configure() {
  if [ ! -f "$ASAN_BUILD_DIR/build.ninja" ]; then
    CC=clang CXX=clang++ cmake -S . -B "$ASAN_BUILD_DIR" -G Ninja -Wno-dev -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DVTPILOT_SANITIZE=ON -DVTPILOT_FUZZ=ON -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link" \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" ${CMAKE_ARGS:-} >/dev/null
  fi
}
