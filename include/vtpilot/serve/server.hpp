#pragma once
// The live view (issue 19): a read-only HTTP server on the run's own Asio loop. It serves a
// status page, each LPAR's console played by asciinema-player from the transcript's own lines
// as they are written (an EventSource stream), /api/status as JSON, and the transcripts.
// There is no write path from the web to a console: nothing here can reach a Console.
// Beast stays in server.cpp (builds are slow on 2 cores): this header is light.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vtpilot/engine/driver.hpp"

namespace boost::asio {
class io_context;
}

namespace vtpilot {
struct Report;
}

namespace vtpilot::serve {

struct Listen {
  std::string host = "127.0.0.1";  // a literal IPv4/IPv6 address ("localhost" is 127.0.0.1)
  unsigned short port = 0;         // 0: any free port (the URL says which)
};
// "PORT", "ADDR:PORT" or "[V6ADDR]:PORT". Returns the error, or nullopt.
std::optional<std::string> parse_listen(const std::string& spec, Listen& out);
// 127.0.0.0/8 and ::1 (and ::ffff:127.x): the only addresses served without a token.
bool is_loopback(const std::string& host);

struct ServeOptions {
  Listen listen;
  std::string token;                    // when set, every request must carry it (?token= or Bearer)
  std::size_t max_clients = 512;        // connections at once; more get 503
  std::size_t client_buffer = 1 << 20;  // bytes queued for one viewer; more and it is dropped
  double header_timeout_s = 10;         // to send a request's head
  double write_timeout_s = 30;          // for one write to a viewer to complete
  double linger_s = 5;                  // at shutdown: time for viewers to get the last bytes
  double status_interval_s = 0.2;       // status pushes are coalesced to one per interval
  double ping_s = 15;                   // an SSE comment line keeps idle streams alive
  double flush_s = 0.2;                 // live lines are written to viewers at most this often (each
                                        // flush is a wake-up and a write per viewer: bench/serve.py)
};

class Server {
 public:
  // Binds and listens at once; on failure returns nullptr and sets error ("127.0.0.1:8080:
  // Address already in use"), so a run can refuse before it attaches to anything.
  static std::unique_ptr<Server> listen(boost::asio::io_context& io, ServeOptions options, std::string& error);
  ~Server();
  unsigned short port() const;
  std::string url() const;  // http://HOST:PORT/ (with ?token=... when one is required)

  // An LPAR and its transcript: the file's path, its header line (Recorder::header()) and the
  // bytes in it now (Recorder::bytes_written()). Returns the LPAR's index.
  int add_lpar(const std::string& name, const std::string& transcript, const std::string& header, std::uint64_t offset);
  // Recorder::on_line: a line now in the transcript, and the file's size after it.
  void line(int lpar, std::string_view line, std::uint64_t end_offset);
  // The run's events (RunOptions::on_tap), the HMC's notes, the run's end.
  void event(int lpar, const SessionEvent& e);
  void note(int lpar, double t, const std::string& text);
  void finished(int lpar, int exit, const std::string& text, const std::string& code, double seconds);
  // run --verify: the acceptance checks' report, told before finished() (status.hpp).
  void verdict(int lpar, const Report& report);
  // Stops accepting; viewers get what is queued (up to linger_s), then every socket closes and
  // the loop runs out of the server's work.
  void shutdown();

  struct Impl;  // server.cpp's (named here so its connections can hold it)

 private:
  std::shared_ptr<Impl> impl_;
};

// A token for a non-loopback address: 32 hex digits from the system's random source.
std::string random_token();

}  // namespace vtpilot::serve
