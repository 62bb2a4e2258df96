// The state file loader: whatever state.json holds (a crash mid-write, a hand edit, an older agentrt),
// loading it ends in a record or an agentrt::Error, and a loaded record saves and loads back the same.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "oci/support/error.hpp"
#include "oci/support/fs.hpp"
#include "runtime/state_store.hpp"

using namespace agentrt;

namespace {

// One store for the whole run: libFuzzer calls the target millions of times in one process.
const runtime::StateStore& store() {
  static const runtime::StateStore s = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "agentrt-fuzz-state-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) abort();
    fs::mkdir_all(tmpl + "/c1", 0700);
    return runtime::StateStore(tmpl);
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& s = store();
  fs::write_file(s.dir("c1") + "/state.json", std::string(reinterpret_cast<const char*>(data), size));
  runtime::ContainerRecord r;
  try {
    r = s.load("c1");
  } catch (const Error&) {
    return 0;
  }
  // What was accepted must survive a save and a load unchanged.
  auto saved = runtime::to_json(r);
  if (runtime::to_json(runtime::record_from_json(saved)) != saved) abort();
  return 0;
}
