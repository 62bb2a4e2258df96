#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "oci/parse.hpp"
#include "oci/support/error.hpp"
#include "runtime/hooks.hpp"
#include "runtime/lifecycle.hpp"
#include "runtime/proc_info.hpp"
#include "runtime/status.hpp"

namespace agentrt::runtime {
namespace {

// Opening the fifo for reading lets the init's blocking open-for-writing complete; it writes one byte and
// execs. Non-blocking so a dead init is noticed instead of waiting forever.
void release_exec_fifo(const std::string& fifo, const ContainerRecord& rec) {
  UniqueFd fd(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) throw sys_error("open exec fifo " + fifo);
  bool released = false;
  for (;;) {
    pollfd p{fd.get(), POLLIN, 0};
    int rc = ::poll(&p, 1, 50);
    if (rc < 0 && errno != EINTR) throw sys_error("poll exec fifo");
    char c;
    ssize_t n = ::read(fd.get(), &c, 1);
    if (n == 1) {
      released = true;
      continue;
    }
    // End of file after the byte: the init's write end closed at execve (or the init died after release,
    // which the caller sees as a stopped container).
    if (n == 0 && released) return;
    if (n < 0 && errno != EAGAIN && errno != EINTR) throw sys_error("read exec fifo");
    if (!process_alive(rec.pid, rec.start_time)) {
      if (released) return;
      throw Error("container init exited before start");
    }
  }
}

}  // namespace

void start_container(const Context& ctx, const std::string& id) {
  UniqueFd lock = ctx.store.lock(id);
  Container c = open_container(ctx.store, id);
  switch (container_status(ctx.store, c)) {
    case oci::Status::created:
      break;
    case oci::Status::stopped:
      throw Error("cannot start a container that has stopped");
    default:
      throw Error("cannot start an already running container");
  }
  std::string fifo = ctx.store.fifo_path(id);
  release_exec_fifo(fifo, c.rec);
  ::unlink(fifo.c_str());

  oci::Hooks hooks = oci::parse_hooks(c.rec.hooks);
  if (!hooks.poststart.empty()) {
    oci::State st = oci_state(ctx.store, c);
    run_hooks(hooks.poststart, oci::to_json(st).dump(), "poststart", false, ctx.log);
  }
}

}  // namespace agentrt::runtime
