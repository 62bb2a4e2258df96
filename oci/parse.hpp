#pragma once
// config.json -> oci::Spec with validation. Every error is an oci::SpecError whose message names the JSON
// path and what was expected: `process.rlimits[1].type: unknown rlimit "RLIMIT_FOO"`. Unknown properties are
// ignored.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "oci/spec.hpp"
#include "oci/support/error.hpp"

namespace agentrt::oci {

class SpecError : public Error {
 public:
  using Error::Error;
};

Spec parse_spec(const nlohmann::json& j);
// Reads and parses <bundle>/config.json; errors are prefixed with "config.json: ".
Spec load_spec(const std::string& config_path);

// Pieces reused by other commands: `exec --process process.json` and `update -r resources.json`.
// `path` is the JSON path prefix used in error messages ("process", "linux.resources").
Process parse_process(const nlohmann::json& j, const std::string& path = "process");
Resources parse_resources(const nlohmann::json& j, const std::string& path = "linux.resources");
// The hooks object alone (kept in a container's state, where start and delete find them without the config).
Hooks parse_hooks(const nlohmann::json& j, const std::string& path = "hooks");

// Capability name ("CAP_SYS_ADMIN") <-> number; nullopt/empty when unknown.
std::optional<int> capability_from_name(const std::string& name);
std::string capability_name(int cap);
// Rlimit name ("RLIMIT_NOFILE") -> resource number.
std::optional<int> rlimit_from_name(const std::string& name);
// Inverses of to_string() in spec.hpp: "network" -> NamespaceType::network, "SCMP_ACT_ERRNO", "SCMP_CMP_EQ".
std::optional<NamespaceType> namespace_type_from_name(const std::string& name);
std::optional<SeccompAction> seccomp_action_from_name(const std::string& name);
std::optional<SeccompOp> seccomp_op_from_name(const std::string& name);

}  // namespace agentrt::oci
