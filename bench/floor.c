// The floor under any runtime's `run`, as issue 7 defines it: clone with the namespaces of the bench bundle,
// pivot_root into the rootfs, mount /proc, exec the program and wait for it. No config, cgroup, devices,
// capabilities or seccomp: what no OCI runtime can go below on this kernel.
// With --cgroups NAME it also creates cgroup NAME at the top of every hierarchy under /sys/fs/cgroup (cpuset
// filled in from its parent), moves the child into them before pivot_root, and removes them after the wait:
// the kernel's share of the cgroups every runtime here creates, joins and removes, with no limit written.
//
//   floor [--cgroups NAME] ROOTFS PROGRAM [ARGS...]   (exit status: the program's)
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CGROUPS 32

static const char* rootfs;
static char** program;
static char cgroups[MAX_CGROUPS][1024];  // the cgroups made with --cgroups
static int ncgroups;

static void die(const char* what) {
  perror(what);
  _exit(127);
}

static void write_file(const char* path, const char* value) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, value, strlen(value)) < 0) die(path);
  close(fd);
}

static void copy_from_parent(const char* dir, const char* parent, const char* file) {
  char from[1100], to[1100], value[256];
  snprintf(from, sizeof from, "%s/%s", parent, file);
  snprintf(to, sizeof to, "%s/%s", dir, file);
  int fd = open(from, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : read(fd, value, sizeof value - 1);
  if (n < 0) die(from);
  close(fd);
  value[n] = 0;
  write_file(to, value);
}

static void make_cgroups(const char* name) {
  DIR* d = opendir("/sys/fs/cgroup");
  if (!d) die("/sys/fs/cgroup");
  struct statfs top;
  if (statfs("/sys/fs/cgroup", &top) == 0 && top.f_type == CGROUP2_SUPER_MAGIC) {
    snprintf(cgroups[ncgroups++], sizeof cgroups[0], "/sys/fs/cgroup/%s", name);  // pure v2
  } else {
    for (struct dirent* e; (e = readdir(d)) && ncgroups < MAX_CGROUPS;) {
      char path[512];
      struct statfs fs;
      if (e->d_name[0] == '.') continue;
      snprintf(path, sizeof path, "/sys/fs/cgroup/%s", e->d_name);
      if (statfs(path, &fs) < 0 || (fs.f_type != CGROUP_SUPER_MAGIC && fs.f_type != CGROUP2_SUPER_MAGIC)) continue;
      snprintf(cgroups[ncgroups++], sizeof cgroups[0], "%s/%s", path, name);
    }
  }
  closedir(d);
  for (int i = 0; i < ncgroups; i++) {
    if (mkdir(cgroups[i], 0755) < 0) die(cgroups[i]);
    char cpus[1100];
    snprintf(cpus, sizeof cpus, "%.1023s/cpuset.cpus", cgroups[i]);
    if (access(cpus, F_OK) == 0 && strstr(cgroups[i], "/cpuset/")) {
      char parent[1024];
      snprintf(parent, sizeof parent, "%.*s", (int)(strrchr(cgroups[i], '/') - cgroups[i]), cgroups[i]);
      copy_from_parent(cgroups[i], parent, "cpuset.cpus");
      copy_from_parent(cgroups[i], parent, "cpuset.mems");
    }
  }
}

static void remove_cgroups(void) {
  for (int i = 0; i < ncgroups; i++) {
    for (int tries = 0; rmdir(cgroups[i]) < 0; tries++) {
      if (errno != EBUSY || tries == 1000) die(cgroups[i]);
      usleep(1000);
    }
  }
}

static int container(void* unused) {
  (void)unused;
  for (int i = 0; i < ncgroups; i++) {
    char procs[1100];
    snprintf(procs, sizeof procs, "%.1023s/cgroup.procs", cgroups[i]);
    write_file(procs, "0");
  }
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
  const char* cgroup_name = NULL;
  if (argc > 2 && strcmp(argv[1], "--cgroups") == 0) {
    cgroup_name = argv[2];
    argv += 2;
    argc -= 2;
  }
  if (argc < 3) {
    fprintf(stderr, "usage: floor [--cgroups NAME] ROOTFS PROGRAM [ARGS...]\n");
    return 2;
  }
  rootfs = argv[1];
  program = argv + 2;
  if (cgroup_name) make_cgroups(cgroup_name);
  int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD;
  pid_t pid = clone(container, stack + sizeof(stack), flags, NULL);
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0) {
    perror(pid < 0 ? "clone" : "waitpid");
    remove_cgroups();
    return 127;
  }
  remove_cgroups();
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
