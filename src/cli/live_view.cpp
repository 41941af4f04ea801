// --serve: the live view of a run (issue 19). The server (src/lib/serve) runs on the run's own
// loop; here the run's transcript lines (Recorder::on_line) and events (RunOptions::on_tap) are
// handed to it. Nothing goes the other way: the view has no path to a console.
#include <utility>  // before Asio (debian12-notes.md)

#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "vtpilot/record/markers.hpp"
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

void LiveView::verdict(int lpar, const Report& report) { impl_->server->verdict(lpar, report); }

void LiveView::note(int lpar, double t, const std::string& text) { impl_->server->note(lpar, t, text); }

namespace {

// One transcript of the folder, followed as it grows (another vtpilot may be writing it).
struct Followed {
  std::string path;
  int index = -1;
  std::uint64_t offset = 0;  // bytes handed to the view (whole lines only)
  std::string partial;
};

// Reads what the file has beyond what was handed on, kChunk at a time and at most kBudget per
// call (a 2-hour install's transcript is tens of MB: never read whole, and the loop keeps
// answering viewers between calls). Returns true if there is more to read now.
constexpr std::size_t kChunk = 1 << 20, kBudget = 8 << 20;

bool follow(serve::Server& s, Followed& f) {
  std::ifstream in(f.path, std::ios::binary);
  if (!in) return false;
  in.seekg(static_cast<std::streamoff>(f.offset + f.partial.size()));
  std::string buf;
  for (std::size_t read = 0; read < kBudget;) {
    buf = std::move(f.partial);
    f.partial.clear();
    const std::size_t had = buf.size();
    buf.resize(had + kChunk);
    in.read(buf.data() + had, static_cast<std::streamsize>(kChunk));
    const std::size_t got = static_cast<std::size_t>(in.gcount());
    buf.resize(had + got);
    if (got == 0) {
      f.partial = std::move(buf);
      return false;
    }
    read += got;
    std::size_t at = 0;
    while (at < buf.size()) {
      const std::size_t nl = buf.find('\n', at);
      if (nl == std::string::npos) break;
      const std::string_view line(buf.data() + at, nl + 1 - at);
      f.offset += line.size();
      s.line(f.index, line, f.offset);
      // Only markers say something for the status (output lines are most of a file: not parsed).
      nlohmann::json j = line.find(", \"m\", ") == std::string_view::npos ? nlohmann::json() : nlohmann::json::parse(line, nullptr, false);
      if (j.is_array() && j.size() >= 3 && j[0].is_number() && j[1] == "m" && j[2].is_string()) {
        const double t = j[0].get<double>();
        const std::string m = j[2].get<std::string>();
        const std::optional<Marker> mk = parse_marker(m);
        if (!mk) {
        } else if (const auto* end = std::get_if<CastEnd>(&*mk)) {
          s.finished(f.index, end->exit, end->outcome, end->code, t);
        } else if (const auto* ev = std::get_if<mark::Event>(&*mk)) {
          s.event(f.index, SessionEvent{ev->kind, t, ev->screen, ev->keys, ev->code, ev->text});
        } else if (std::holds_alternative<mark::Hmc>(*mk)) {
          s.note(f.index, t, m);
        }
      }
      at = nl + 1;
    }
    f.partial = buf.substr(at);  // a line still being written (or longer than a chunk)
    if (got < kChunk) return false;
  }
  return true;
}

}  // namespace

void add_serve(CLI::App& app) {
  struct Opts {
    std::string dir, listen = "127.0.0.1:8080", token_file;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "serve",
      "the live view of the transcripts (*.cast) in DIR: the status page, each console played, /api/status,\n"
      "the files; transcripts still being written are followed as they grow. Read-only; stops on Ctrl-C.\n"
      "Exit: 0 stopped, 2 bad usage (no such folder, no transcript in it, the address in use).");
  cmd->add_option("DIR", o->dir, "a folder of transcripts (a run --config's `transcripts` folder)")->required();
  cmd->add_option("--listen", o->listen, "ADDR:PORT, or PORT on 127.0.0.1 (default 127.0.0.1:8080); another address needs a token")
      ->type_name("ADDR:PORT");
  cmd->add_option("--token-file", o->token_file, "the token, from the first line of this file (mode 0600)");
  cmd->callback([o] {
    std::error_code ec;
    if (!std::filesystem::is_directory(o->dir, ec)) {
      std::cerr << "vtpilot serve: " << o->dir << ": not a folder\n";
      exit_code() = kUsage;
      return;
    }
    std::vector<std::string> casts;
    for (const auto& e : std::filesystem::directory_iterator(o->dir, ec))
      if (e.path().extension() == ".cast" && e.is_regular_file()) casts.push_back(e.path().string());
    std::sort(casts.begin(), casts.end());
    if (casts.empty()) {
      std::cerr << "vtpilot serve: " << o->dir << ": no transcript (*.cast) in it\n";
      exit_code() = kUsage;
      return;
    }
    int code = 0;
    auto view = LiveView::open(o->listen, o->token_file, false, "serve", code);
    if (!view) {
      exit_code() = code ? code : kUsage;
      return;
    }
    serve::Server& s = view->server();
    std::vector<Followed> files;
    for (const std::string& path : casts) {
      std::ifstream in(path, std::ios::binary);
      std::string header;
      if (!std::getline(in, header)) continue;
      Followed f;
      f.path = path;
      f.offset = header.size() + 1;
      const std::string stem = std::filesystem::path(path).stem().string();
      f.index = s.add_lpar(stem, path, header, f.offset);
      files.push_back(std::move(f));
    }
    std::cerr << "vtpilot serve: " << files.size() << " transcript" << (files.size() == 1 ? "" : "s") << " of " << o->dir
              << "; Ctrl-C stops\n";
    boost::asio::io_context& io = view->loop();
    boost::asio::steady_timer poll(io);
    std::function<void()> tick = [&] {
      bool more = false;
      for (Followed& f : files) more = follow(s, f) || more;
      // More to read at once (a long file's first pass): again as soon as the loop is free.
      poll.expires_after(std::chrono::milliseconds(more ? 0 : 250));
      poll.async_wait([&](boost::system::error_code e) {
        if (!e) tick();
      });
    };
    tick();
    boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
    signals.async_wait([&](boost::system::error_code e, int) {
      if (e) return;
      poll.cancel();
      s.shutdown();
    });
    io.run();
    exit_code() = kDone;
  });
}

}  // namespace vtpilot::cli
