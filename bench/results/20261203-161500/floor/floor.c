// Floor of a per-line reader on this machine: a sender writes N 52-byte lines over loopback TCP,
// one every 3 ms; the reader blocks in epoll_wait, recv()s each, and appends it to a file with one
// write() (what any tool that reads a line at a time and keeps a transcript must do). Prints the
// reader's CPU (getrusage) per read.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20000, extra = argc > 2 ? atoi(argv[2]) : 0;
  int ls = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_addr.s_addr = htonl(0x7f000001);
  bind(ls, (void*)&a, sizeof a); listen(ls, 1); socklen_t l = sizeof a; getsockname(ls, (void*)&a, &l);
  if (fork() == 0) {
    int s = socket(AF_INET, SOCK_STREAM, 0); connect(s, (void*)&a, sizeof a);
    int one = 1; setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char line[52]; memset(line, 'x', 50); line[50] = '\r'; line[51] = '\n';
    struct timespec ts = {0, 3000000};
    for (int i = 0; i < n; ++i) { send(s, line, sizeof line, 0); nanosleep(&ts, 0); }
    close(s); _exit(0);
  }
  int c = accept(ls, 0, 0); fcntl(c, F_SETFL, O_NONBLOCK);
  int out = open("/tmp/sshb/floor/out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int ep = epoll_create1(0); struct epoll_event ev = {EPOLLIN | EPOLLET, {0}}; epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
  char buf[4096]; long reads = 0;
  for (;;) {
    epoll_wait(ep, &ev, 1, -1);
    ssize_t r = recv(c, buf, sizeof buf, 0);
    if (r == 0) break;
    if (r < 0) continue;
    for (int k = 0; k < extra; ++k) { char p; recv(c, &p, 1, MSG_PEEK | MSG_DONTWAIT); }  // extra syscalls per read
    write(out, buf, (size_t)r); ++reads;
  }
  struct rusage ru; getrusage(RUSAGE_SELF, &ru);
  double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  printf("reads=%ld extra_syscalls=%d cpu=%.3f s  %.1f us/read\n", reads, extra, cpu, cpu * 1e6 / reads);
  wait(0);
  return 0;
}
