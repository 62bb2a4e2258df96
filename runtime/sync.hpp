#pragma once
// The create-time handshake between the runtime (parent) and the container's init (child) over a
// SOCK_SEQPACKET socketpair: one message per step, an error message carries the child's error text.
#include <string>

#include "oci/support/unique_fd.hpp"

namespace agentrt::runtime {

enum class SyncMsg : char {
  go = 'g',            // parent -> child: ids mapped, cgroup joined; continue
  mounts_ready = 'm',  // child -> parent: rootfs prepared; run createRuntime/prestart hooks
  hooks_done = 'h',    // parent -> child: continue with pivot_root
  seccomp_fd = 's',    // child -> parent: the seccomp notify fd rides along (SCM_RIGHTS)
  ready = 'r',         // child -> parent: set up; waits for commit
  commit = 'c',        // parent -> child: the container is recorded; wait on the exec fifo
  error = 'e',         // either way: text follows
};

void sync_send(int fd, SyncMsg m, const std::string& text = "");
// Receives one message; throws when the peer sent `error` (with its text) or closed the socket.
// `expect` is what the caller waits for, for the error message.
void sync_expect(int fd, SyncMsg expect, const char* step);

struct SyncMessage {
  SyncMsg type;
  std::string text;
  UniqueFd fd;  // set when the message carried one
};
// Receives one message of any type, with an fd if one was attached; throws on `error` or a closed socket.
SyncMessage sync_recv(int fd, const char* step);

}  // namespace agentrt::runtime
