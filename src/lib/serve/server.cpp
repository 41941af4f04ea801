// The live view's HTTP server: Boost.Beast parses requests (with limits), Asio runs everything
// on the run's own loop (no thread, no second loop). Responses are written by hand: a few fixed
// headers, and for streams the raw bytes of a text/event-stream.
//
// How a viewer sees a console from the start: the transcript on disk is the history. A new
// stream reads the file from its first event up to the size it has now, 64 KiB at a time, at
// the viewer's own pace; once it has caught up it joins the live lines (Recorder::on_line).
// Memory per viewer is one chunk, or at most client_buffer of live lines: a viewer that falls
// further behind is dropped, and its browser reconnects (EventSource does) and starts again
// from the file. The consoles never wait for a viewer.
#include <utility>  // before Asio (debian12-notes.md)

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstring>
#include <random>
#include <set>
#include <vector>

#include "serve/assets.hpp"
#include "vtpilot/serve/server.hpp"
#include "vtpilot/serve/status.hpp"

namespace vtpilot::serve {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::chrono::steady_clock::duration secs(double s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}

// Compares all of both strings whatever differs first, so the time taken says nothing of where.
bool same_token(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

// %XX and + decoded, as a browser encodes a query value (encodeURIComponent, forms).
std::string url_decode(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; };
    if (v[i] == '%' && i + 2 < v.size() && hex(v[i + 1]) >= 0 && hex(v[i + 2]) >= 0) {
      out += static_cast<char>(hex(v[i + 1]) * 16 + hex(v[i + 2]));
      i += 2;
    } else {
      out += v[i] == '+' ? ' ' : v[i];
    }
  }
  return out;
}

std::string query_param(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    if (kv.size() > key.size() && kv.substr(0, key.size()) == key && kv[key.size()] == '=')
      return url_decode(kv.substr(key.size() + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

// "/api/lpar/12/events" with prefix "/api/lpar/" and suffix "/events": 12; -1 if not that shape.
int index_in(std::string_view path, std::string_view prefix, std::string_view suffix) {
  if (path.size() <= prefix.size() + suffix.size() || path.substr(0, prefix.size()) != prefix ||
      path.substr(path.size() - suffix.size()) != suffix)
    return -1;
  std::string_view digits = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (digits.empty() || digits.size() > 6) return -1;
  int n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

const char* kCommonHeaders =
    "Cache-Control: no-store\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "X-Frame-Options: DENY\r\n";

// The page's Content-Security-Policy: its own scripts and styles only, no inline script, its
// requests to this server only (the event streams, the transcripts), nothing framed, no form.
// 'wasm-unsafe-eval': asciinema-player's terminal is WebAssembly it compiles from its own
// script (no JS eval). No inline style: the player sets its styles through the DOM (CSSOM),
// which the policy allows (the browser test checks that no violation is reported).
const char* kPageCsp =
    "Content-Security-Policy: default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'\r\n";

std::string head(int status, std::string_view type, std::optional<std::uint64_t> length, bool keep_alive,
                 std::string_view extra = {}) {
  std::string h = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n";
  h += "Content-Type: ";
  h += type;
  h += "\r\n";
  if (length) h += "Content-Length: " + std::to_string(*length) + "\r\n";
  h += kCommonHeaders;
  h += extra;
  h += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  return h;
}

struct Feed {
  std::string name, path;
  int fd = -1;
  std::uint64_t first_event = 0;  // the file offset after the header line
  std::uint64_t end = 0;          // the file's size after the last line tapped
  int width = 80, height = 24;
  std::string last_head;  // the last line's first bytes, "[12.345678, ...": its time, read when asked
  bool finished = false;
};

}  // namespace

struct Conn;

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::io_context& io_, ServeOptions o)
      : io(io_), opt(std::move(o)), acceptor(io_), status_timer(io_), ping_timer(io_), linger_timer(io_) {}
  asio::io_context& io;
  ServeOptions opt;
  tcp::acceptor acceptor;
  asio::steady_timer status_timer, ping_timer, linger_timer;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  StatusBoard board;
  std::vector<Feed> feeds;
  std::set<std::shared_ptr<Conn>> conns;
  std::set<Conn*> status_subs;
  std::vector<std::set<Conn*>> live;  // per feed: viewers caught up with the file
  std::uint64_t dropped = 0;
  std::string scratch;  // Server::line's message, built once for all its viewers
  // The status as /api/status and its event stream send it.
  std::string status_json() const { return board.json(now(), static_cast<int>(conns.size()), dropped); }
  bool status_armed = false, stopping = false, pinging = false;
  std::string host_port;  // as a browser sends it in Host, for the loopback check
  unsigned short port = 0;
  bool loopback = true;

  double now() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); }
  void accept();
  void status_changed();
  void push_status();
  void ping();
  void close_all();
  // Writes what live lines queued, at most once per flush interval.
  asio::steady_timer flush_timer{io};
  bool flush_armed = false;
  void flush_soon();
};

struct Conn : std::enable_shared_from_this<Conn> {
  enum class Mode { request, respond, file, catchup, live, status };
  Conn(std::shared_ptr<Server::Impl> s, tcp::socket sock) : srv(std::move(s)), stream(std::move(sock)), buffer(16384) {}
  std::shared_ptr<Server::Impl> srv;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::optional<http::request_parser<http::empty_body>> parser;
  Mode mode = Mode::request;
  std::string out, inflight;
  bool writing = false, closed = false, keep_alive = false, close_when_flushed = false, head_only = false;
  int feed = -1;
  std::uint64_t pos = 0, end = 0;  // file / catchup: the next byte to read and where to stop

  bool stream_mode() const { return mode == Mode::catchup || mode == Mode::live || mode == Mode::status; }

  void start() { read_request(); }

  void read_request() {
    mode = Mode::request;
    parser.emplace();
    parser->header_limit(8192);
    parser->body_limit(0);
    stream.expires_after(secs(srv->opt.header_timeout_s));
    http::async_read(stream, buffer, *parser, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_request(ec);
    });
  }

  void fail(int status, std::string_view text) {
    keep_alive = false;
    respond(status, "text/plain; charset=utf-8", std::string(text) + "\n");
  }

  void respond(int status, std::string_view type, std::string body, std::string_view extra = {}) {
    mode = Mode::respond;
    out += head(status, type, body.size(), keep_alive, extra);
    if (!head_only) out += body;
    kick();
  }

  void on_request(beast::error_code ec) {
    if (closed) return;
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::operation_aborted) return close();
    if (ec == beast::error::timeout) return close();  // said nothing in time: no answer owed
    if (ec == http::error::header_limit) return fail(431, "request head too large (8 KiB at most)");
    if (ec == http::error::body_limit || ec == http::error::unexpected_body)
      return fail(413, "a request to the live view has no body");
    if (ec) return fail(400, "bad request: " + ec.message());
    stream.expires_never();
    const auto& req = parser->get();
    keep_alive = req.keep_alive() && !srv->stopping;
    head_only = req.method() == http::verb::head;
    if (req.method() != http::verb::get && !head_only)
      return keep_alive = false,
             respond(405, "text/plain; charset=utf-8", "the live view is read-only: GET and HEAD only\n",
                     "Allow: GET, HEAD\r\n");
    std::string_view target(req.target().data(), req.target().size());
    if (target.empty() || target[0] != '/') return fail(400, "bad request target");
    const std::size_t q = target.find('?');
    const std::string_view path = target.substr(0, q);
    const std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    // A page of another site must not read a loopback view through a DNS name pointing at
    // 127.0.0.1 (DNS rebinding): on loopback, Host must name this address.
    if (srv->loopback && srv->opt.token.empty()) {
      auto host = req.find(http::field::host);
      const std::string_view h = host == req.end() ? std::string_view() : std::string_view(host->value().data(), host->value().size());
      if (h != srv->host_port && h != "localhost:" + std::to_string(srv->port))
        return fail(403, "Host must be " + srv->host_port + " (the address vtpilot serves on)");
    }
    if (!srv->opt.token.empty()) {
      std::string given = query_param(query, "token");
      if (auto a = req.find(http::field::authorization); a != req.end()) {
        std::string_view v(a->value().data(), a->value().size());
        if (v.substr(0, 7) == "Bearer ") given = std::string(v.substr(7));
      }
      if (!same_token(given, srv->opt.token))
        return fail(401, "this live view needs its token: open the URL vtpilot printed at start (?token=...)");
    }
    route(path);
  }

  void route(std::string_view path) {
    if (path == "/") path = "/index.html";
    if (const Asset* a = find_asset(path.substr(1)))
      return respond(200, a->type, std::string(a->text), a->type.substr(0, 9) == "text/html" ? kPageCsp : "");
    if (path == "/api/status")
      return respond(200, "application/json", srv->status_json());
    if (path == "/api/status/events") return start_status();
    if (int n = index_in(path, "/api/lpar/", "/events"); n >= 0) {
      if (n >= static_cast<int>(srv->feeds.size())) return fail(404, "no such LPAR");
      return start_events(n);
    }
    if (int n = index_in(path, "/transcripts/", ".cast"); n >= 0) {
      if (n >= static_cast<int>(srv->feeds.size())) return fail(404, "no such transcript");
      return start_file(n);
    }
    fail(404, "not found");
  }

  static constexpr const char* kEventStream =
      "X-Accel-Buffering: no\r\n";

  // The head of an event stream; false for a HEAD request, which then ends with that head.
  bool open_event_stream() {
    keep_alive = false;
    out += head(200, "text/event-stream", std::nullopt, false, kEventStream);
    if (!head_only) return true;
    close_when_flushed = true;
    mode = Mode::respond;
    kick();
    return false;
  }

  void start_status() {
    if (!open_event_stream()) return;
    mode = Mode::status;
    srv->status_subs.insert(this);
    send("data: " + srv->status_json() + "\n\n");
  }

  void start_events(int n) {
    if (!open_event_stream()) return;
    const Feed& f = srv->feeds[static_cast<std::size_t>(n)];
    feed = n;
    // The player's reset: the terminal's size, and the stream time now (the events read from
    // the file are older: the player shows them at once, then plays the live ones).
    out += "data: {\"version\":2,\"width\":" + std::to_string(f.width) + ",\"height\":" + std::to_string(f.height) +
           ",\"time\":" + std::to_string(f.last_head.size() > 1 ? std::atof(f.last_head.c_str() + 1) : 0.0) + "}\n\n";
    mode = Mode::catchup;
    pos = f.first_event;
    kick();
  }

  void start_file(int n) {
    const Feed& f = srv->feeds[static_cast<std::size_t>(n)];
    feed = n;
    pos = 0;
    end = f.end;
    out += head(200, "application/x-asciicast", end, keep_alive,
                "Content-Disposition: inline; filename=\"" + std::to_string(n) + ".cast\"\r\n");
    if (head_only) {
      mode = Mode::respond;
      return kick();
    }
    mode = Mode::file;
    kick();
  }

  // The next piece of the file: raw (a transcript download) or as event-stream lines.
  void fill() {
    const Feed& f = srv->feeds[static_cast<std::size_t>(feed)];
    const std::uint64_t stop = mode == Mode::file ? end : f.end;
    if (pos >= stop) return;
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(stop - pos, 65536));
    std::string chunk;
    for (;;) {
      chunk.resize(want);
      const ssize_t n = ::pread(f.fd, chunk.data(), want, static_cast<off_t>(pos));
      if (n <= 0) return close();  // the file shrank or vanished under us: nothing sensible to send
      chunk.resize(static_cast<std::size_t>(n));
      if (mode == Mode::file) {
        pos += chunk.size();
        out += chunk;
        return;
      }
      const std::size_t last = chunk.rfind('\n');
      if (last != std::string::npos) {
        chunk.resize(last + 1);
        break;
      }
      // One line longer than the chunk (a large read of console output): read more of it.
      if (want >= stop - pos) return close();  // no newline up to a line's end: not our file
      want = static_cast<std::size_t>(std::min<std::uint64_t>(stop - pos, want * 2));
    }
    pos += chunk.size();
    std::size_t at = 0;
    while (at < chunk.size()) {
      const std::size_t nl = chunk.find('\n', at);
      out += "data: ";
      out.append(chunk, at, nl - at);
      out += "\n\n";
      at = nl + 1;
    }
  }

  // Live lines and status pushes: queued, and a viewer that has too much queued is dropped.
  // later: written by the next flush (Impl::flush_soon) with whatever else comes by then, so a
  // console that prints a line per read costs a viewer one write per flush, not one per line.
  void send(std::string_view bytes, bool later = false) {
    if (closed) return;
    if (out.size() + bytes.size() > srv->opt.client_buffer) {
      ++srv->dropped;
      return close();
    }
    out += bytes;
    if (!later) kick();
  }

  void kick() {
    if (writing || closed) return;
    if (out.empty() && (mode == Mode::file || mode == Mode::catchup)) fill();
    if (closed) return;
    if (out.empty()) {
      if (mode == Mode::catchup) {
        // Caught up with the file: from now on the lines come live.
        mode = Mode::live;
        srv->live[static_cast<std::size_t>(feed)].insert(this);
        if (srv->feeds[static_cast<std::size_t>(feed)].finished) send("event: done\ndata: {}\n\n");
        if (srv->stopping) close_when_flushed = true;
        if (!out.empty() || closed) return;
      }
      if (mode == Mode::file) {
        if (keep_alive) return read_request();
        return close();
      }
      if (mode == Mode::respond) {
        if (keep_alive && !close_when_flushed) return read_request();
        return close();
      }
      if (close_when_flushed) return close();
      return;
    }
    inflight.swap(out);
    out.clear();
    writing = true;
    stream.expires_after(secs(srv->opt.write_timeout_s));
    asio::async_write(stream, asio::buffer(inflight), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing = false;
      self->inflight.clear();
      if (self->closed) return;
      if (ec) return self->close();
      self->stream.expires_never();
      self->kick();
    });
  }

  void close() {
    if (closed) return;
    closed = true;
    auto self = shared_from_this();
    srv->status_subs.erase(this);
    if (feed >= 0 && static_cast<std::size_t>(feed) < srv->live.size()) srv->live[static_cast<std::size_t>(feed)].erase(this);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream.close();
    srv->conns.erase(self);
    // The last one gone at shutdown: nothing left to wait for (the loop may end now).
    if (srv->stopping && srv->conns.empty()) srv->linger_timer.cancel();
  }
};

void Server::Impl::accept() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket sock) {
    if (self->stopping || !self->acceptor.is_open()) return;
    if (!ec) {
      auto c = std::make_shared<Conn>(self, std::move(sock));
      self->conns.insert(c);
      if (self->conns.size() > self->opt.max_clients) c->fail(503, "too many viewers");
      else c->start();
    }
    // Out of descriptors (EMFILE) and the like: try again on the next accept, do not spin.
    self->accept();
  });
}

void Server::Impl::status_changed() {
  if (status_armed || status_subs.empty()) return;
  status_armed = true;
  status_timer.expires_after(secs(opt.status_interval_s));
  status_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
    self->status_armed = false;
    if (ec) return;
    self->push_status();
  });
}

void Server::Impl::push_status() {
  if (status_subs.empty()) return;
  const std::string msg = "data: " + status_json() + "\n\n";
  for (Conn* c : std::vector<Conn*>(status_subs.begin(), status_subs.end())) c->send(msg);
}

void Server::Impl::ping() {
  if (stopping) return;
  pinging = true;
  ping_timer.expires_after(secs(opt.ping_s));
  ping_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
    self->pinging = false;
    if (ec || self->stopping) return;
    std::vector<Conn*> all(self->status_subs.begin(), self->status_subs.end());
    for (auto& s : self->live) all.insert(all.end(), s.begin(), s.end());
    for (Conn* c : all) c->send(": ping\n\n");
    self->ping();
  });
}

void Server::Impl::flush_soon() {
  if (flush_armed) return;
  flush_armed = true;
  flush_timer.expires_after(secs(opt.flush_s));
  flush_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
    self->flush_armed = false;
    if (ec) return;
    for (auto& viewers : self->live)
      for (Conn* c : std::vector<Conn*>(viewers.begin(), viewers.end())) c->kick();
  });
}

void Server::Impl::close_all() {
  for (auto& c : std::vector<std::shared_ptr<Conn>>(conns.begin(), conns.end())) c->close();
}

std::unique_ptr<Server> Server::listen(asio::io_context& io, ServeOptions options, std::string& error) {
  beast::error_code ec;
  const std::string host = options.listen.host == "localhost" ? "127.0.0.1" : options.listen.host;
  const auto addr = asio::ip::make_address(host, ec);
  const std::string where = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                            std::to_string(options.listen.port);
  if (ec) {
    error = where + ": not an IP address (" + ec.message() + ")";
    return nullptr;
  }
  auto impl = std::make_shared<Impl>(io, std::move(options));
  const tcp::endpoint ep(addr, impl->opt.listen.port);
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = where + ": " + ec.message();
    return nullptr;
  }
  impl->loopback = is_loopback(host);
  const unsigned short port = impl->port = impl->acceptor.local_endpoint().port();
  impl->host_port = (addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string()) + ":" + std::to_string(port);
  auto s = std::unique_ptr<Server>(new Server);
  s->impl_ = impl;
  impl->accept();
  impl->ping();
  return s;
}

Server::~Server() {
  if (!impl_) return;
  impl_->stopping = true;
  beast::error_code ec;
  impl_->acceptor.close(ec);
  impl_->status_timer.cancel();
  impl_->ping_timer.cancel();
  impl_->linger_timer.cancel();
  impl_->flush_timer.cancel();
  impl_->close_all();
  for (Feed& f : impl_->feeds)
    if (f.fd >= 0) ::close(f.fd), f.fd = -1;
}

unsigned short Server::port() const { return impl_->port; }

std::string Server::url() const {
  std::string u = "http://" + impl_->host_port + "/";
  if (!impl_->opt.token.empty()) u += "?token=" + impl_->opt.token;
  return u;
}

int Server::add_lpar(const std::string& name, const std::string& transcript, const std::string& header,
                     std::uint64_t offset) {
  Feed f;
  f.name = name;
  f.path = transcript;
  f.fd = ::open(transcript.c_str(), O_RDONLY | O_CLOEXEC);
  f.first_event = header.size() + 1;
  f.end = offset;
  // The header's size, as the player needs it (asciicast: "width": W, "height": H).
  auto number = [&](const char* key, int fallback) {
    const std::size_t k = header.find(key);
    if (k == std::string::npos) return fallback;
    std::size_t i = header.find(':', k) + 1;
    while (i < header.size() && header[i] == ' ') ++i;
    const int v = std::atoi(header.c_str() + i);
    return v > 0 && v < 1000 ? v : fallback;
  };
  f.width = number("\"width\"", 80);
  f.height = number("\"height\"", 24);
  impl_->feeds.push_back(std::move(f));
  impl_->live.emplace_back();
  const int i = impl_->board.add(name, transcript);
  impl_->status_changed();
  return i;
}

void Server::line(int lpar, std::string_view text, std::uint64_t end_offset) {
  if (lpar < 0 || static_cast<std::size_t>(lpar) >= impl_->feeds.size()) return;
  Feed& f = impl_->feeds[static_cast<std::size_t>(lpar)];
  f.end = end_offset;
  // The event's time, for the reset a new viewer gets: "[12.345678, ...".
  // The event's time, for the reset a new viewer gets: kept as bytes (parsed only then; a
  // console's every line passes here, viewers or not). assign() reuses the string's buffer.
  if (text.size() > 1 && text[0] == '[') f.last_head.assign(text.data(), std::min<std::size_t>(text.size(), 24));
  auto& viewers = impl_->live[static_cast<std::size_t>(lpar)];
  if (viewers.empty()) return;
  std::string_view body = text;
  if (!body.empty() && body.back() == '\n') body.remove_suffix(1);
  std::string& msg = impl_->scratch;  // one buffer for every line: no allocation per line
  msg.clear();
  msg += "data: ";
  msg += body;
  msg += "\n\n";
  // A viewer dropped by send() leaves the set (that element only): step past it first.
  for (auto it = viewers.begin(); it != viewers.end();) (*it++)->send(msg, true);
  impl_->flush_soon();
}

void Server::event(int lpar, const SessionEvent& e) {
  if (e.secret) {
    SessionEvent hidden = e;
    hidden.keys = "***";
    impl_->board.event(lpar, hidden);
  } else {
    impl_->board.event(lpar, e);
  }
  impl_->status_changed();
}

void Server::note(int lpar, double t, const std::string& text) {
  impl_->board.note(lpar, t, text);
  impl_->status_changed();
}

void Server::finished(int lpar, int exit, const std::string& text, const std::string& code, double seconds) {
  impl_->board.finished(lpar, exit, text, code, seconds);
  if (lpar >= 0 && static_cast<std::size_t>(lpar) < impl_->feeds.size()) {
    impl_->feeds[static_cast<std::size_t>(lpar)].finished = true;
    // The player ends its stream ("Stream ended") instead of waiting for more.
    auto& viewers = impl_->live[static_cast<std::size_t>(lpar)];
    for (Conn* c : std::vector<Conn*>(viewers.begin(), viewers.end())) c->send("event: done\ndata: {}\n\n");
  }
  impl_->status_changed();
}

void Server::verdict(int lpar, const Report& report) {
  impl_->board.verdict(lpar, report);
  impl_->status_changed();
}

void Server::shutdown() {
  Impl& s = *impl_;
  if (s.stopping) return;
  s.stopping = true;
  beast::error_code ec;
  s.acceptor.close(ec);
  s.ping_timer.cancel();
  s.status_timer.cancel();
  s.push_status();  // the last status, at once
  for (auto& c : std::vector<std::shared_ptr<Conn>>(s.conns.begin(), s.conns.end())) {
    c->close_when_flushed = true;
    c->keep_alive = false;
    if (c->mode == Conn::Mode::request) c->close();  // waiting for a request: nothing owed
    else c->kick();
  }
  if (s.conns.empty()) return;
  s.linger_timer.expires_after(secs(s.opt.linger_s));
  s.linger_timer.async_wait([self = impl_](beast::error_code e) {
    if (!e) self->close_all();
  });
}


std::optional<std::string> parse_listen(const std::string& spec, Listen& out) {
  std::string host = "127.0.0.1", port;
  if (spec.empty()) return "expected PORT, ADDR:PORT or [V6ADDR]:PORT";
  if (spec[0] == '[') {
    const std::size_t close = spec.find(']');
    if (close == std::string::npos || close + 1 >= spec.size() || spec[close + 1] != ':')
      return "\"" + spec + "\": expected [V6ADDR]:PORT";
    host = spec.substr(1, close - 1);
    port = spec.substr(close + 2);
  } else if (const std::size_t colon = spec.rfind(':'); colon != std::string::npos) {
    if (spec.find(':') != colon) return "\"" + spec + "\": an IPv6 address goes in brackets: [::1]:8080";
    host = spec.substr(0, colon);
    port = spec.substr(colon + 1);
    if (host.empty()) host = "127.0.0.1";
  } else {
    port = spec;
  }
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535)
    return "\"" + spec + "\": the port must be a number from 0 to 65535";
  if (host == "localhost") host = "127.0.0.1";
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  if (ec) return "\"" + host + "\": not an IP address (give one, e.g. 127.0.0.1 or 0.0.0.0; names are not looked up)";
  out.host = host;
  out.port = static_cast<unsigned short>(std::stoul(port));
  return std::nullopt;
}

bool is_loopback(const std::string& host) {
  beast::error_code ec;
  const auto a = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) return false;
  if (a.is_v4()) return a.to_v4().to_bytes()[0] == 127;
  const auto v6 = a.to_v6();
  if (v6.is_loopback()) return true;
  return v6.is_v4_mapped() && v6.to_bytes()[12] == 127;
}

std::string random_token() {
  std::random_device rd;  // /dev/urandom on Linux (libstdc++)
  static const char* hex = "0123456789abcdef";
  std::string t;
  for (int i = 0; i < 4; ++i) {
    std::uint32_t v = rd();
    for (int k = 0; k < 8; ++k, v >>= 4) t += hex[v & 15];
  }
  return t;
}

}  // namespace vtpilot::serve
