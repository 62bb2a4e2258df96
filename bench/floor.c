// The floor under any runtime's `run`, as issue 7 defines it: clone with the namespaces of the bench bundle,
// pivot_root into the rootfs, mount /proc, exec the program and wait for it. No config, cgroup, devices,
// capabilities or seccomp: what no OCI runtime can go below on this kernel.
//
//   floor ROOTFS PROGRAM [ARGS...]   (exit status: the program's)
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char* rootfs;
static char** program;

static void die(const char* what) {
  perror(what);
  _exit(127);
}

static int container(void* unused) {
  (void)unused;
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die("make / private");
  if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) die("bind rootfs");
  if (chdir(rootfs) < 0) die("chdir rootfs");
  if (syscall(SYS_pivot_root, ".", ".") < 0) die("pivot_root");
  if (umount2(".", MNT_DETACH) < 0) die("detach old root");
  if (chdir("/") < 0) die("chdir /");
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) die("mount /proc");
  execv(program[0], program);
  die("exec");
  return 127;
}

int main(int argc, char** argv) {
  static char stack[64 * 1024];
  if (argc < 3) {
    fprintf(stderr, "usage: floor ROOTFS PROGRAM [ARGS...]\n");
    return 2;
  }
  rootfs = argv[1];
  program = argv + 2;
  int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD;
  pid_t pid = clone(container, stack + sizeof(stack), flags, NULL);
  if (pid < 0) die("clone");
  int status;
  if (waitpid(pid, &status, 0) < 0) die("waitpid");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
