// Threat probe: tries one dangerous operation named on the command line and prints the errno name it got
// ("EPERM"), or "OK" when the operation succeeded. Static, so it runs in any rootfs. Operations that the
// filter answers with a kill (foreign-ABI syscalls) never print: the caller sees the signal.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif

static long result(long rc) {
  if (rc < 0)
    printf("%s\n", strerrorname_np(errno));
  else
    printf("OK\n");
  return rc;
}

static pid_t sleeper(void) {
  pid_t pid = fork();
  if (pid == 0) {
    pause();
    _exit(0);
  }
  return pid;
}

static void reap(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

// PTRACE_ATTACH from one child of the probe to another (siblings: neither is the other's ancestor).
static int op_ptrace(void) {
  pid_t target = sleeper();
  pid_t attacker = fork();
  if (attacker == 0) _exit(result(syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, target, 0, 0)) < 0);
  int status = 1;
  waitpid(attacker, &status, 0);
  reap(target);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int op_process_vm_readv(void) {
  pid_t pid = sleeper();
  char src[8] = "secret", dst[8];
  struct iovec local = {dst, sizeof dst}, remote = {src, sizeof src};
  long rc = result(syscall(SYS_process_vm_readv, pid, &local, 1, &remote, 1, 0));
  reap(pid);
  return rc < 0;
}

// Fills the task table: under a pids limit fork fails with EAGAIN long before the cap.
static int op_forkbomb(void) {
  enum { kCap = 20000 };
  static pid_t pids[kCap];
  int n = 0;
  long rc = 0;
  for (; n < kCap; ++n) {
    pid_t p = fork();
    if (p == 0) {
      pause();
      _exit(0);
    }
    if (p < 0) {
      rc = -1;
      break;
    }
    pids[n] = p;
  }
  int saved = errno;
  for (int i = 0; i < n; ++i) kill(pids[i], SIGKILL);
  for (int i = 0; i < n; ++i) waitpid(pids[i], NULL, 0);
  errno = saved;
  if (rc < 0) fprintf(stderr, "forked %d before failing\n", n);
  return result(rc) < 0;
}

// socket(AF_INET, SOCK_STREAM, 0) through the i386 socketcall entry: a 32-bit syscall from 64-bit code.
static int op_int80_socketcall(void) {
#if defined(__x86_64__)
  static uint32_t args[3] = {AF_INET, SOCK_STREAM, 0};  // static: a 32-bit address in a non-PIE binary
  long rc;
  __asm__ volatile("int $0x80"
                   : "=a"(rc)
                   : "a"(102), "b"(1), "c"((uint32_t)(uintptr_t)args)
                   : "r8", "r9", "r10", "r11", "memory");
  if (rc < 0) errno = (int)-rc;
  return result(rc < 0 ? -1 : rc) < 0;
#else
  errno = ENOSYS;
  return result(-1) < 0;
#endif
}

static int op_clone_newuser(void) {
  long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) _exit(0);
  if (pid > 0) waitpid((pid_t)pid, NULL, 0);
  return result(pid) < 0;
}

static int op_tiocsti(void) {
  char c = 'x';
  int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
  long rc = ioctl(fd >= 0 ? fd : 0, TIOCSTI, &c);
  int saved = errno;
  if (fd >= 0) close(fd);
  errno = saved;
  return result(rc) < 0;
}

static void* mark_thread_ran(void* ran) {
  *(int*)ran = 1;
  return NULL;
}

// Starts one thread (clone with CLONE_THREAD and friends, the flags a seccomp clone mask inspects) and
// joins it: what every threaded runtime (Go, the JVM, Python's threading) needs at startup.
static int op_thread(void) {
  pthread_t thread;
  int ran = 0;
  int rc = pthread_create(&thread, NULL, mark_thread_ran, &ran);
  if (rc == 0) rc = pthread_join(thread, NULL);
  if (rc == 0 && !ran) rc = ESRCH;  // joined, but the thread never ran: not a pass
  errno = rc;
  return result(rc ? -1 : 0) < 0;
}

// Filesystem operations on paths given after the operation (the Landlock threat suite): each is one system
// call, so the errno printed is the kernel's answer to that call.
static int fs_op(const char* op, int argc, char** argv) {
  const char* a = argv[2];
  const char* b = argc > 3 ? argv[3] : "";
  if (!strcmp(op, "fs_write")) return result(open(a, O_WRONLY | O_CLOEXEC)) < 0;
  if (!strcmp(op, "fs_create")) return result(open(a, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0;
  if (!strcmp(op, "fs_read")) return result(open(a, O_RDONLY | O_CLOEXEC)) < 0;
  if (!strcmp(op, "fs_readdir")) return result(open(a, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0;
  if (!strcmp(op, "fs_exec")) {
    char* args[] = {(char*)a, (char*)"--help", NULL};
    execv(a, args);
    return result(-1) < 0;
  }
  if (!strcmp(op, "fs_truncate")) return result(truncate(a, 0)) < 0;
  if (!strcmp(op, "fs_unlink")) return result(unlink(a)) < 0;
  if (!strcmp(op, "fs_mkdir")) return result(mkdir(a, 0755)) < 0;
  if (!strcmp(op, "fs_mknod_fifo")) return result(mknod(a, S_IFIFO | 0644, 0)) < 0;
  if (!strcmp(op, "fs_mknod_char")) return result(mknod(a, S_IFCHR | 0644, makedev(1, 3))) < 0;
  if (!strcmp(op, "fs_rename")) return result(rename(a, b)) < 0;
  if (!strcmp(op, "fs_link")) return result(link(a, b)) < 0;
  if (!strcmp(op, "fs_symlink")) return result(symlink(a, b)) < 0;
  if (!strcmp(op, "fs_chdir_write")) {  // chdir a, then open b (relative, "../x") for writing
    if (chdir(a) < 0) return result(-1) < 0;
    return result(open(b, O_WRONLY | O_CLOEXEC)) < 0;
  }
  fprintf(stderr, "probe: unknown operation %s\n", op);
  return 2;
}

// Network ops: net_OP ADDRESS PORT, ADDRESS an IPv4 or IPv6 literal ("::ffff:198.18.0.1" is IPv4-mapped).
static socklen_t net_address(const char* text, const char* port, struct sockaddr_in6* out) {
  memset(out, 0, sizeof *out);
  struct sockaddr_in* in4 = (struct sockaddr_in*)out;
  if (inet_pton(AF_INET, text, &in4->sin_addr) == 1) {
    in4->sin_family = AF_INET;
    in4->sin_port = htons((uint16_t)atoi(port));
    return sizeof *in4;
  }
  if (inet_pton(AF_INET6, text, &out->sin6_addr) != 1) {
    fprintf(stderr, "probe: bad address %s\n", text);
    exit(2);
  }
  out->sin6_family = AF_INET6;
  out->sin6_port = htons((uint16_t)atoi(port));
  return sizeof *out;
}

static int net_op(const char* op, int argc, char** argv) {
  if (!strcmp(op, "net_ping_socket")) return result(socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)) < 0;
  if (!strcmp(op, "net_ping6_socket")) return result(socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6)) < 0;
  if (!strcmp(op, "net_raw_socket")) return result(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)) < 0;
  if (!strcmp(op, "net_raw6_socket")) return result(socket(AF_INET6, SOCK_RAW, IPPROTO_RAW)) < 0;
  if (argc != 4) {
    fprintf(stderr, "usage: probe %s ADDRESS PORT\n", op);
    return 2;
  }
  struct sockaddr_in6 sa;
  socklen_t len = net_address(argv[2], argv[3], &sa);
  struct sockaddr* to = (struct sockaddr*)&sa;
  int mptcp = !strcmp(op, "net_mptcp_connect"), udplite = !strcmp(op, "net_udplite_sendto");
  int tcp = !strcmp(op, "net_tcp_connect") || !strcmp(op, "net_tcp_fastopen") || mptcp;
  int fd = socket(sa.sin6_family, tcp ? SOCK_STREAM : SOCK_DGRAM,
                  mptcp     ? 262
                  : udplite ? IPPROTO_UDPLITE
                            : 0);
  if (fd < 0) return result(fd) < 0;
  char byte = 'x';
  if (!strcmp(op, "net_tcp_connect") || !strcmp(op, "net_udp_connect") || mptcp) {
    if (connect(fd, to, len) < 0) return result(-1) < 0;
    return result(tcp ? 0 : send(fd, &byte, 1, 0)) < 0;
  }
  if (!strcmp(op, "net_tcp_fastopen")) return result(sendto(fd, &byte, 1, MSG_FASTOPEN, to, len)) < 0;
  if (!strcmp(op, "net_udp_sendto") || udplite) return result(sendto(fd, &byte, 1, 0, to, len)) < 0;
  if (!strcmp(op, "net_udp_sendmmsg")) {
    struct iovec iov = {&byte, 1};
    struct mmsghdr m[2];
    memset(m, 0, sizeof m);
    for (int i = 0; i < 2; ++i) {
      m[i].msg_hdr.msg_name = to;
      m[i].msg_hdr.msg_namelen = len;
      m[i].msg_hdr.msg_iov = &iov;
      m[i].msg_hdr.msg_iovlen = 1;
    }
    return result(sendmmsg(fd, m, 2, 0)) < 0;
  }
  fprintf(stderr, "probe: unknown operation %s\n", op);
  return 2;
}

// `denied_loop N`: N umount2 calls of a path that does not exist (the floor denies umount2), timed; prints
// "<errno of the last> <count that failed with it> <nanoseconds>" (the audit trail's loss and cost test).
static int op_denied_loop(long n) {
  struct timespec t0, t1;
  long same = 0;
  int first = 0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; ++i) {
    if (umount2("/nonexistent-agentrt-probe", 0) == 0) continue;
    if (!first) first = errno;
    if (errno == first) ++same;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
  printf("%s %ld %lld\n", first ? strerrorname_np(first) : "OK", same, ns);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 3 && !strcmp(argv[1], "denied_loop")) {
    setvbuf(stdout, NULL, _IONBF, 0);
    return op_denied_loop(atol(argv[2]));
  }
  if (argc >= 3 && !strncmp(argv[1], "fs_", 3)) {
    setvbuf(stdout, NULL, _IONBF, 0);
    return fs_op(argv[1], argc, argv);
  }
  if (argc >= 2 && !strncmp(argv[1], "net_", 4)) {
    setvbuf(stdout, NULL, _IONBF, 0);
    return net_op(argv[1], argc, argv);
  }
  if (argc != 2) {
    fprintf(stderr, "usage: probe OPERATION\n");
    return 2;
  }
  const char* op = argv[1];
  setvbuf(stdout, NULL, _IONBF, 0);
  struct {
    unsigned char bytes[512];
  } zero = {{0}};  // big enough for every struct the kernel may write back (io_uring_params)
  if (!strcmp(op, "ptrace")) return op_ptrace();
  if (!strcmp(op, "process_vm_readv")) return op_process_vm_readv();
  if (!strcmp(op, "mount")) return result(mount("none", "/nonexistent-agentrt-probe", "tmpfs", 0, NULL)) < 0;
  if (!strcmp(op, "umount2")) return result(umount2("/nonexistent-agentrt-probe", 0)) < 0;
  if (!strcmp(op, "unshare_user")) return result(unshare(CLONE_NEWUSER)) < 0;
  if (!strcmp(op, "unshare_net")) return result(unshare(CLONE_NEWNET)) < 0;
  if (!strcmp(op, "clone_newuser")) return op_clone_newuser();
  if (!strcmp(op, "setns")) return result(setns(-1, 0)) < 0;
  if (!strcmp(op, "chroot")) return result(chroot("/nonexistent-agentrt-probe")) < 0;
  if (!strcmp(op, "init_module")) return result(syscall(SYS_init_module, NULL, 0, "")) < 0;
  if (!strcmp(op, "finit_module")) return result(syscall(SYS_finit_module, -1, "", 0)) < 0;
  if (!strcmp(op, "open_by_handle_at"))
    return result(syscall(SYS_open_by_handle_at, -1, &zero, O_RDONLY)) < 0;
  if (!strcmp(op, "socket_packet")) return result(socket(AF_PACKET, SOCK_RAW, 0)) < 0;
  if (!strcmp(op, "socket_alg")) return result(socket(AF_ALG, SOCK_SEQPACKET, 0)) < 0;
  if (!strcmp(op, "socket_vsock")) return result(socket(AF_VSOCK, SOCK_STREAM, 0)) < 0;
  if (!strcmp(op, "socket_netlink_audit")) return result(socket(AF_NETLINK, SOCK_RAW, 9)) < 0;
  if (!strcmp(op, "socket_netlink_route")) return result(socket(AF_NETLINK, SOCK_RAW, 0)) < 0;
  if (!strcmp(op, "socket_inet")) return result(socket(AF_INET, SOCK_STREAM, 0)) < 0;
  if (!strcmp(op, "socket_inet6")) return result(socket(AF_INET6, SOCK_DGRAM, 0)) < 0;
  if (!strcmp(op, "socket_unix")) return result(socket(AF_UNIX, SOCK_STREAM, 0)) < 0;
  if (!strcmp(op, "io_uring_setup")) return result(syscall(SYS_io_uring_setup, 1, &zero)) < 0;
  if (!strcmp(op, "tiocsti")) return op_tiocsti();
  if (!strcmp(op, "int80_socketcall")) return op_int80_socketcall();
  if (!strcmp(op, "keyctl")) return result(syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0)) < 0;
  if (!strcmp(op, "add_key")) return result(syscall(SYS_add_key, "user", "probe", "x", 1, -3)) < 0;
  if (!strcmp(op, "forkbomb")) return op_forkbomb();
  if (!strcmp(op, "bpf")) return result(syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, &zero, 0)) < 0;
  if (!strcmp(op, "perf_event_open")) return result(syscall(SYS_perf_event_open, &zero, 0, -1, -1, 0)) < 0;
  if (!strcmp(op, "clone3")) return result(syscall(SYS_clone3, &zero, 0)) < 0;
  if (!strcmp(op, "userfaultfd")) return result(syscall(SYS_userfaultfd, 0)) < 0;
  if (!strcmp(op, "personality_exec")) return result(personality(READ_IMPLIES_EXEC)) < 0;
  if (!strcmp(op, "personality_query")) return result(personality(0xffffffff)) < 0;
  if (!strcmp(op, "kexec_load")) return result(syscall(SYS_kexec_load, 0, 0, NULL, 0xdead0000UL)) < 0;
  if (!strcmp(op, "reboot")) return result(syscall(SYS_reboot, 0, 0, 0, NULL)) < 0;
  if (!strcmp(op, "fsopen")) return result(syscall(SYS_fsopen, "tmpfs", 0)) < 0;
  if (!strcmp(op, "sethostname")) return result(sethostname("x", 0)) < 0;
  if (!strcmp(op, "memfd_create")) return result(syscall(SYS_memfd_create, "probe", 0)) < 0;
  if (!strcmp(op, "thread")) return op_thread();
  if (!strcmp(op, "getpid")) return result(getpid()) < 0;
  fprintf(stderr, "probe: unknown operation %s\n", op);
  return 2;
}
