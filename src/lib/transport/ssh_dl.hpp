#pragma once
// libssh, loaded the first time an ssh link is configured (dlopen), not when vtpilot starts.
// Linked normally, libssh brings libcrypto, the Kerberos libraries and zlib into every
// process: about 2.5 MiB of resident memory and 0.3 ms of start-up CPU in every
// `vtpilot run --spawn`, `identify`, `render` and replay that never opens a connection
// (bench/README.md). ssh_link.hpp includes this header after <libssh/libssh.h>, and
// ssh_connect.cpp and ssh_channel.cpp are written as if linked: each libssh function they call
// is a macro for the same call through the table.
// A function missing from this list is a link error (libssh is not linked), never a silent
// fallback.
#include <libssh/libssh.h>
#include <libssh/callbacks.h>  // before the macros below: it declares ssh_set_channel_callbacks

#include <string>

#ifdef VTPILOT_SSH_LINKED
// Linked (sanitizer builds, see CMakeLists.txt): the calls are libssh's own.
namespace vtpilot::ssh_dl {
inline bool load(std::string* = nullptr) { return true; }
}  // namespace vtpilot::ssh_dl
#else
namespace vtpilot::ssh_dl {

// Every libssh function ssh_connect.cpp and ssh_channel.cpp call.
#define VTPILOT_SSH_FUNCTIONS(X) \
  X(ssh_blocking_flush) \
  X(ssh_channel_close) \
  X(ssh_channel_free) \
  X(ssh_channel_get_exit_status) \
  X(ssh_channel_is_closed) \
  X(ssh_channel_is_eof) \
  X(ssh_channel_is_open) \
  X(ssh_channel_new) \
  X(ssh_channel_open_session) \
  X(ssh_channel_request_exec) \
  X(ssh_channel_request_pty_size) \
  X(ssh_channel_send_eof) \
  X(ssh_channel_write) \
  X(ssh_clean_pubkey_hash) \
  X(ssh_connect) \
  X(ssh_disconnect) \
  X(ssh_event_add_session) \
  X(ssh_event_dopoll) \
  X(ssh_event_free) \
  X(ssh_event_new) \
  X(ssh_event_remove_session) \
  X(ssh_free) \
  X(ssh_get_error) \
  X(ssh_get_fd) \
  X(ssh_get_fingerprint_hash) \
  X(ssh_get_poll_flags) \
  X(ssh_get_publickey_hash) \
  X(ssh_get_server_publickey) \
  X(ssh_get_status) \
  X(ssh_is_connected) \
  X(ssh_key_free) \
  X(ssh_key_type) \
  X(ssh_key_type_to_char) \
  X(ssh_new) \
  X(ssh_options_get) \
  X(ssh_options_get_port) \
  X(ssh_options_parse_config) \
  X(ssh_options_set) \
  X(ssh_pki_import_privkey_file) \
  X(ssh_send_ignore) \
  X(ssh_session_is_known_server) \
  X(ssh_set_blocking) \
  X(ssh_set_channel_callbacks) \
  X(ssh_string_free_char) \
  X(ssh_userauth_agent) \
  X(ssh_userauth_kbdint) \
  X(ssh_userauth_kbdint_getnprompts) \
  X(ssh_userauth_kbdint_getprompt) \
  X(ssh_userauth_kbdint_setanswer) \
  X(ssh_userauth_list) \
  X(ssh_userauth_none) \
  X(ssh_userauth_password) \
  X(ssh_userauth_publickey) \
  X(ssh_userauth_publickey_auto)

struct Api {
#define VTPILOT_SSH_MEMBER(f) decltype(&::f) f = nullptr;
  VTPILOT_SSH_FUNCTIONS(VTPILOT_SSH_MEMBER)
#undef VTPILOT_SSH_MEMBER
};

// Loads libssh once; nullptr if it cannot be loaded, with the reason in *why. Thread-safe.
const Api* load(std::string* why = nullptr);
// The loaded table; only after load() succeeded (ssh_connect.cpp checks before its first session).
const Api& api();

}  // namespace vtpilot::ssh_dl

#define ssh_blocking_flush(...) (::vtpilot::ssh_dl::api().ssh_blocking_flush)(__VA_ARGS__)
#define ssh_channel_close(...) (::vtpilot::ssh_dl::api().ssh_channel_close)(__VA_ARGS__)
#define ssh_channel_free(...) (::vtpilot::ssh_dl::api().ssh_channel_free)(__VA_ARGS__)
#define ssh_channel_get_exit_status(...) (::vtpilot::ssh_dl::api().ssh_channel_get_exit_status)(__VA_ARGS__)
#define ssh_channel_is_closed(...) (::vtpilot::ssh_dl::api().ssh_channel_is_closed)(__VA_ARGS__)
#define ssh_channel_is_eof(...) (::vtpilot::ssh_dl::api().ssh_channel_is_eof)(__VA_ARGS__)
#define ssh_channel_is_open(...) (::vtpilot::ssh_dl::api().ssh_channel_is_open)(__VA_ARGS__)
#define ssh_channel_new(...) (::vtpilot::ssh_dl::api().ssh_channel_new)(__VA_ARGS__)
#define ssh_channel_open_session(...) (::vtpilot::ssh_dl::api().ssh_channel_open_session)(__VA_ARGS__)
#define ssh_channel_request_exec(...) (::vtpilot::ssh_dl::api().ssh_channel_request_exec)(__VA_ARGS__)
#define ssh_channel_request_pty_size(...) (::vtpilot::ssh_dl::api().ssh_channel_request_pty_size)(__VA_ARGS__)
#define ssh_channel_send_eof(...) (::vtpilot::ssh_dl::api().ssh_channel_send_eof)(__VA_ARGS__)
#define ssh_channel_write(...) (::vtpilot::ssh_dl::api().ssh_channel_write)(__VA_ARGS__)
#define ssh_clean_pubkey_hash(...) (::vtpilot::ssh_dl::api().ssh_clean_pubkey_hash)(__VA_ARGS__)
#define ssh_connect(...) (::vtpilot::ssh_dl::api().ssh_connect)(__VA_ARGS__)
#define ssh_disconnect(...) (::vtpilot::ssh_dl::api().ssh_disconnect)(__VA_ARGS__)
#define ssh_event_add_session(...) (::vtpilot::ssh_dl::api().ssh_event_add_session)(__VA_ARGS__)
#define ssh_event_dopoll(...) (::vtpilot::ssh_dl::api().ssh_event_dopoll)(__VA_ARGS__)
#define ssh_event_free(...) (::vtpilot::ssh_dl::api().ssh_event_free)(__VA_ARGS__)
#define ssh_event_new(...) (::vtpilot::ssh_dl::api().ssh_event_new)(__VA_ARGS__)
#define ssh_event_remove_session(...) (::vtpilot::ssh_dl::api().ssh_event_remove_session)(__VA_ARGS__)
#define ssh_free(...) (::vtpilot::ssh_dl::api().ssh_free)(__VA_ARGS__)
#define ssh_get_error(...) (::vtpilot::ssh_dl::api().ssh_get_error)(__VA_ARGS__)
#define ssh_get_fd(...) (::vtpilot::ssh_dl::api().ssh_get_fd)(__VA_ARGS__)
#define ssh_get_fingerprint_hash(...) (::vtpilot::ssh_dl::api().ssh_get_fingerprint_hash)(__VA_ARGS__)
#define ssh_get_poll_flags(...) (::vtpilot::ssh_dl::api().ssh_get_poll_flags)(__VA_ARGS__)
#define ssh_get_publickey_hash(...) (::vtpilot::ssh_dl::api().ssh_get_publickey_hash)(__VA_ARGS__)
#define ssh_get_server_publickey(...) (::vtpilot::ssh_dl::api().ssh_get_server_publickey)(__VA_ARGS__)
#define ssh_get_status(...) (::vtpilot::ssh_dl::api().ssh_get_status)(__VA_ARGS__)
#define ssh_is_connected(...) (::vtpilot::ssh_dl::api().ssh_is_connected)(__VA_ARGS__)
#define ssh_key_free(...) (::vtpilot::ssh_dl::api().ssh_key_free)(__VA_ARGS__)
#define ssh_key_type(...) (::vtpilot::ssh_dl::api().ssh_key_type)(__VA_ARGS__)
#define ssh_key_type_to_char(...) (::vtpilot::ssh_dl::api().ssh_key_type_to_char)(__VA_ARGS__)
#define ssh_new(...) (::vtpilot::ssh_dl::api().ssh_new)(__VA_ARGS__)
#define ssh_options_get(...) (::vtpilot::ssh_dl::api().ssh_options_get)(__VA_ARGS__)
#define ssh_options_get_port(...) (::vtpilot::ssh_dl::api().ssh_options_get_port)(__VA_ARGS__)
#define ssh_options_parse_config(...) (::vtpilot::ssh_dl::api().ssh_options_parse_config)(__VA_ARGS__)
#define ssh_options_set(...) (::vtpilot::ssh_dl::api().ssh_options_set)(__VA_ARGS__)
#define ssh_pki_import_privkey_file(...) (::vtpilot::ssh_dl::api().ssh_pki_import_privkey_file)(__VA_ARGS__)
#define ssh_send_ignore(...) (::vtpilot::ssh_dl::api().ssh_send_ignore)(__VA_ARGS__)
#define ssh_session_is_known_server(...) (::vtpilot::ssh_dl::api().ssh_session_is_known_server)(__VA_ARGS__)
#define ssh_set_blocking(...) (::vtpilot::ssh_dl::api().ssh_set_blocking)(__VA_ARGS__)
#define ssh_set_channel_callbacks(...) (::vtpilot::ssh_dl::api().ssh_set_channel_callbacks)(__VA_ARGS__)
#define ssh_string_free_char(...) (::vtpilot::ssh_dl::api().ssh_string_free_char)(__VA_ARGS__)
#define ssh_userauth_agent(...) (::vtpilot::ssh_dl::api().ssh_userauth_agent)(__VA_ARGS__)
#define ssh_userauth_kbdint(...) (::vtpilot::ssh_dl::api().ssh_userauth_kbdint)(__VA_ARGS__)
#define ssh_userauth_kbdint_getnprompts(...) (::vtpilot::ssh_dl::api().ssh_userauth_kbdint_getnprompts)(__VA_ARGS__)
#define ssh_userauth_kbdint_getprompt(...) (::vtpilot::ssh_dl::api().ssh_userauth_kbdint_getprompt)(__VA_ARGS__)
#define ssh_userauth_kbdint_setanswer(...) (::vtpilot::ssh_dl::api().ssh_userauth_kbdint_setanswer)(__VA_ARGS__)
#define ssh_userauth_list(...) (::vtpilot::ssh_dl::api().ssh_userauth_list)(__VA_ARGS__)
#define ssh_userauth_none(...) (::vtpilot::ssh_dl::api().ssh_userauth_none)(__VA_ARGS__)
#define ssh_userauth_password(...) (::vtpilot::ssh_dl::api().ssh_userauth_password)(__VA_ARGS__)
#define ssh_userauth_publickey(...) (::vtpilot::ssh_dl::api().ssh_userauth_publickey)(__VA_ARGS__)
#define ssh_userauth_publickey_auto(...) (::vtpilot::ssh_dl::api().ssh_userauth_publickey_auto)(__VA_ARGS__)
#endif  // VTPILOT_SSH_LINKED
