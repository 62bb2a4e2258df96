// Runs a command in the mount namespace of another process: what nsenter --mount does, without its dynamic
// loading and option parsing (about 1 ms per launch here), so the launcher adds little to what is measured.
//
//   nsexec /proc/PID/ns/mnt PROGRAM [ARGS...]
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: nsexec /proc/PID/ns/mnt PROGRAM [ARGS...]\n");
    return 2;
  }
  int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWNS) < 0) {
    perror(argv[1]);
    return 125;
  }
  // setns also moved us to the namespace's root directory: callers pass absolute paths.
  execvp(argv[2], argv + 2);
  perror(argv[2]);
  return 127;
}
