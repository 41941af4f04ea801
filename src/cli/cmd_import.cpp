// vtpilot import [--log-timing F] [--log-io F | --log-out F [--log-in F]] [-o OUT.cast] [FILE]:
// the recordings people have (script, asciicast v3, conserver, plain logs) as asciicast v2.
// The formats are parsed in the library (src/lib/record/import.cpp); here only the files are read
// and written.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "vtpilot/record/import.hpp"

namespace vtpilot::cli {

namespace {

std::optional<std::string> read_whole(const std::string& path, ImportFile& f) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return path + ": " + std::strerror(errno);
  if (S_ISDIR(st.st_mode)) return path + ": is a directory, expected a log file";
  std::ifstream in(path, std::ios::binary);
  if (!in) return path + ": " + std::strerror(errno);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return path + ": read error: " + std::strerror(errno);
  f.name = path;
  f.text = std::move(ss).str();
  return std::nullopt;
}

}  // namespace

std::optional<std::string> load_log(const LogPaths& p, ImportedLog& log) {
  ImportRequest rq;
  const std::pair<const std::string*, std::optional<ImportFile>*> files[] = {
      {&p.timing, &rq.timing}, {&p.io, &rq.io}, {&p.out, &rq.out}, {&p.in, &rq.in}, {&p.file, &rq.file}};
  for (const auto& [path, slot] : files) {
    if (path->empty()) continue;
    ImportFile f;
    if (auto err = read_whole(*path, f)) return err;
    *slot = std::move(f);
  }
  return import_log(rq, log);
}

void add_import(CLI::App& app) {
  struct Opts {
    LogPaths paths;
    std::string output;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "import",
      "convert a console recording into an asciicast v2 transcript (replay, identify, render, audit and\n"
      "asciinema read it). Sources: util-linux script (a typescript with --log-timing, classic or advanced;\n"
      "--log-io, or --log-out with --log-in, as scriptreplay names them; a typescript alone), asciicast v2 and\n"
      "v3, conserver console logs (its [-- ... --] lines become markers) and plain output logs (Expect\n"
      "log_file, screen, minicom, PuTTY); FILE's format is detected. Keys typed at a Password: prompt are\n"
      "written as ***. Exit 0 written, 2 bad input (not a log, binary data, a timing file that does not match).");
  cmd->add_option("FILE", o->paths.file, "the log (with --log-timing: its typescript, as scriptreplay takes it)");
  cmd->add_option("-t,-T,--log-timing,--timing", o->paths.timing, "script's timing file (script -t / --log-timing)");
  auto* io = cmd->add_option("-B,--log-io", o->paths.io, "script's --log-io file: keys and output in one file");
  auto* out = cmd->add_option("-O,--log-out", o->paths.out, "script's --log-out file (the typescript)");
  cmd->add_option("-I,--log-in", o->paths.in, "script's --log-in file: the keys")->needs(out);
  io->excludes(out);
  cmd->add_option("-o,--output", o->output, "write the cast here (default: standard output); never overwritten");
  cmd->callback([o] {
    ImportedLog log;
    if (o->paths.file.empty() && o->paths.out.empty() && o->paths.io.empty()) {
      std::cerr << "vtpilot import: nothing to import: give a log FILE (or --log-timing with --log-io or --log-out)\n";
      exit_code() = kUsage;
      return;
    }
    if (auto err = load_log(o->paths, log)) {
      std::cerr << "vtpilot import: " << *err << "\n";
      exit_code() = kUsage;
      return;
    }
    const std::string text = cast_text(log);
    if (o->output.empty() || o->output == "-") {
      std::cout << text << std::flush;
    } else {
      // As transcripts: an earlier file is never overwritten.
      const int fd = ::open(o->output.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd < 0) {
        std::cerr << "vtpilot import: cannot create " << o->output << ": " << std::strerror(errno) << "\n";
        exit_code() = kUsage;
        return;
      }
      std::size_t done = 0;
      while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
      }
      const bool ok = done == text.size() && ::close(fd) == 0;
      if (!ok) {
        std::cerr << "vtpilot import: writing " << o->output << ": " << std::strerror(errno) << "\n";
        ::unlink(o->output.c_str());
        exit_code() = kUsage;
        return;
      }
    }
    std::size_t keys = 0, markers = 0;
    for (const CastEvent& e : log.events) {
      keys += e.type == 'i';
      markers += e.type == 'm';
    }
    const double secs = log.events.empty() ? 0 : log.events.back().t;
    std::cerr << "vtpilot import: " << log.format << ", " << log.events.size() << " events (" << keys << " keys, "
              << markers << " markers)";
    if (log.timed) std::cerr << ", " << secs << " s";
    else std::cerr << ", no times in the log";
    if (log.passwords_masked) std::cerr << ", " << log.passwords_masked << " password(s) written as ***";
    if (!o->output.empty() && o->output != "-") std::cerr << " -> " << o->output;
    std::cerr << "\n";
    exit_code() = kDone;
  });
}

}  // namespace vtpilot::cli
