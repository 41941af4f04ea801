#pragma once
// One ssh connection to the HMC (libssh), on an Asio loop: exec channels for HMC commands,
// a PTY channel for mkvterm. The socket is an Asio descriptor: channels are read when it is
// readable, never by a polling loop. Connecting (DNS, TCP, key exchange, host key, auth) runs
// on a short-lived thread so that one slow HMC never stalls the other LPARs' consoles.
// No libssh or Asio type leaks from here.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
}

namespace vtpilot {

struct SshParams {
  std::string host;
  int port = 0;                         // 0: from the ssh config, else 22
  std::string user;                     // "": from the ssh config, else the local user
  std::string identity;                 // a private key file to try first
  std::string known_hosts;              // "": ~/.ssh/known_hosts
  std::string ssh_config;               // "": ~/.ssh/config and /etc/ssh/ssh_config
  std::optional<std::string> password;  // in memory only; never logged
  double connect_timeout_s = 20;
  double keepalive_s = 30;
};

struct SshFailure {
  std::string message;     // what happened and what to do, for the operator
  bool retryable = false;  // a network failure (retry with backoff), not a host key or auth one
};

class SshLink {
 public:
  SshLink(boost::asio::io_context& io, SshParams params);
  ~SshLink();
  SshLink(const SshLink&) = delete;
  SshLink& operator=(const SshLink&) = delete;

  // Connects, checks the host key against known_hosts (unknown or changed: a failure with
  // the fingerprint and the command that would trust it; nothing accepted silently), and
  // authenticates (key file, agent, default keys, then the password if one was given).
  void connect(std::function<void(std::optional<SshFailure>)> done);
  bool connected() const;
  // "user@host:port" for messages.
  std::string describe() const;

  // Runs a command on its own exec channel; done(exit status, stdout + stderr). A status of
  // -1 means no status came (connection lost, timeout): `output` then says why.
  void exec(const std::string& command, double timeout_s, std::function<void(int status, std::string output)> done);

  // Runs a command on a PTY channel (vt100, rows x cols) and streams what it prints.
  // opened(error) once the command runs (or could not start); closed(status, why) when it ends.
  int open_pty(const std::string& command, int rows, int cols, std::function<void(std::optional<std::string>)> opened,
               std::function<void(std::string_view)> on_data, std::function<void(int status, std::string why)> closed);
  void write(int stream, std::string_view bytes);
  // EOF and close (mkvterm then exits and releases the console).
  void close_stream(int stream);

  // The connection failed after it was up (reset, keepalive, read error): every channel is
  // closed with `why`, then this is called once.
  std::function<void(const std::string& why)> on_lost;
  // Ends the connection (no callbacks after this).
  void disconnect();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vtpilot
