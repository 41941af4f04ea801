// --serve: the live view of a run (issue 19). The server (src/lib/serve) runs on the run's own
// loop; here the run's transcript lines (Recorder::on_line) and events (RunOptions::on_tap) are
// handed to it. Nothing goes the other way: the view has no path to a console.
#include <utility>  // before Asio (debian12-notes.md)

#include <boost/asio/io_context.hpp>
#include <iostream>

#include "commands.hpp"
#include "vtpilot/serve/server.hpp"
#include "vtpilot/transport/secret.hpp"

namespace vtpilot::cli {

struct LiveView::Impl {
  boost::asio::io_context io;
  std::unique_ptr<serve::Server> server;
  int watched = 0, ended = 0;
};

LiveView::LiveView() : impl_(std::make_unique<Impl>()) {}
LiveView::~LiveView() {
  impl_->server.reset();  // before the loop it lives on
}
boost::asio::io_context& LiveView::loop() { return impl_->io; }
serve::Server& LiveView::server() { return *impl_->server; }

std::unique_ptr<LiveView> LiveView::open(const std::string& listen, const std::string& token_file, bool quiet,
                                         const char* who, int& code) {
  code = 0;
  if (listen.empty()) {
    if (!token_file.empty()) {
      std::cerr << "vtpilot " << who << ": --serve-token-file needs --serve ADDR:PORT\n";
      code = kUsage;
    }
    return nullptr;
  }
  serve::ServeOptions so;
  if (auto err = serve::parse_listen(listen, so.listen)) {
    std::cerr << "vtpilot " << who << ": --serve " << *err << "\n";
    code = kUsage;
    return nullptr;
  }
  const bool loopback = serve::is_loopback(so.listen.host);
  if (!token_file.empty()) {
    std::string err;
    auto t = read_secret_file(token_file, err);
    if (!t || t->empty()) {
      std::cerr << "vtpilot " << who << ": --serve-token-file: " << (t ? token_file + ": empty" : err) << "\n";
      code = kUsage;
      return nullptr;
    }
    so.token = *t;
  } else if (!loopback) {
    so.token = serve::random_token();
  }
  std::unique_ptr<LiveView> v(new LiveView);
  std::string err;
  v->impl_->server = serve::Server::listen(v->impl_->io, so, err);
  if (!v->impl_->server) {
    std::cerr << "vtpilot " << who << ": --serve " << err << " (nothing was attached)\n";
    code = kUsage;
    return nullptr;
  }
  // The URL is printed even with --quiet: it is how the view is found (and its token, once).
  std::string url = v->impl_->server->url();
  if (!token_file.empty()) url = url.substr(0, url.find('?'));  // the file's token stays in the file
  std::cerr << "vtpilot: live view on " << url;
  if (!so.token.empty() && token_file.empty())
    std::cerr << "  (not a loopback address: this token is required, and printed only here)";
  else if (!so.token.empty())
    std::cerr << "  (the token of " << token_file << " is required)";
  std::cerr << "\n";
  (void)quiet;
  return v;
}

int LiveView::watch(const std::string& name, Recorder& rec, const std::string& transcript, RunOptions& ro) {
  serve::Server& s = *impl_->server;
  const int i = s.add_lpar(name, transcript, rec.header(), rec.bytes_written());
  ++impl_->watched;
  rec.on_line = [&s, i](std::string_view line, std::uint64_t end) { s.line(i, line, end); };
  ro.on_tap = [&s, i](const SessionEvent& e) { s.event(i, e); };
  ro.loop = &impl_->io;
  ro.on_finished = [this, i](const RunResult& r) { finished(i, r); };
  return i;
}

void LiveView::finished(int lpar, const RunResult& r) {
  impl_->server->finished(lpar, r.exit_code, r.text, r.code, r.seconds);
  if (++impl_->ended >= impl_->watched) impl_->server->shutdown();
}

void LiveView::note(int lpar, double t, const std::string& text) { impl_->server->note(lpar, t, text); }

void add_serve(CLI::App&) {}

}  // namespace vtpilot::cli
