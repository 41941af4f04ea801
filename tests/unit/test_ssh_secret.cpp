// The HMC password file: a FIFO is refused, at once (the open must not wait for a writer).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>

#include "vtpilot/transport/secret.hpp"

using namespace vtpilot;
namespace fs = std::filesystem;

TEST_CASE("read_secret_file refuses a FIFO without blocking on it") {
  const fs::path dir = fs::temp_directory_path() / ("vtpilot-secret-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string fifo = (dir / "hmc.pass").string();
  fs::remove(fifo);
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto result = std::async(std::launch::async, [&] {
    std::string error;
    auto pw = read_secret_file(fifo, error);
    return std::make_pair(pw.has_value(), error);
  });
  const bool prompt = result.wait_for(std::chrono::seconds(3)) == std::future_status::ready;
  if (!prompt) {
    // Blocked in open(): a writer lets it go on, so that the test ends.
    int w = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
    if (w >= 0) ::close(w);
  }
  auto [ok, error] = result.get();
  CHECK(prompt);
  CHECK_FALSE(ok);
  CHECK(error.find("not a regular file") != std::string::npos);
  fs::remove_all(dir);
}
