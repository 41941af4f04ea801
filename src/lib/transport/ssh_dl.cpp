// libssh loaded on first use; see ssh_dl.hpp.
#include "transport/ssh_dl.hpp"

#ifndef VTPILOT_SSH_LINKED
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

#ifndef VTPILOT_LIBSSH_SONAME
#define VTPILOT_LIBSSH_SONAME "libssh.so.4"
#endif

namespace vtpilot::ssh_dl {

namespace {
std::string g_error;

const Api* open_libssh() {
  void* lib = ::dlopen(VTPILOT_LIBSSH_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* e = ::dlerror();
    g_error = std::string("cannot load " VTPILOT_LIBSSH_SONAME " (") + (e ? e : "?") +
              "); install it: apt-get install libssh-4";
    return nullptr;
  }
  static Api api;
#define VTPILOT_SSH_BIND(f)                                                                  \
  api.f = reinterpret_cast<decltype(api.f)>(::dlsym(lib, #f));                               \
  if (!api.f) {                                                                              \
    g_error = "the " VTPILOT_LIBSSH_SONAME " found has no " #f ": it is older than the one vtpilot was built with"; \
    return nullptr;                                                                          \
  }
  VTPILOT_SSH_FUNCTIONS(VTPILOT_SSH_BIND)
#undef VTPILOT_SSH_BIND
  return &api;
}
}  // namespace

const Api* load(std::string* why) {
  static const Api* const api = open_libssh();
  if (!api && why) *why = g_error;
  return api;
}

const Api& api() {
  const Api* a = load();
  if (!a) {  // a call before the check in ssh_connect.cpp: a defect, not a runtime condition
    std::fprintf(stderr, "vtpilot: libssh used before it was loaded: %s\n", g_error.c_str());
    std::abort();
  }
  return *a;
}

}  // namespace vtpilot::ssh_dl
#endif  // VTPILOT_SSH_LINKED
