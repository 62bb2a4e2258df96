#include "oci/support/error.hpp"
#include "runtime/cli/command.hpp"

namespace agentrt::cli {

namespace {

// The description of flag `a` ("--bundle", "-bundle" or "-b"), or nullptr.
const po::option_description* lookup(const po::options_description& desc, const std::string& a) {
  std::string name = a.substr(a.find_first_not_of('-'));
  for (const auto& d : desc.options()) {
    if (d->long_name() == name) return d.get();
    if (a.size() == 2 && d->canonical_display_name(po::command_line_style::allow_dash_for_short) == a)
      return d.get();
  }
  return nullptr;
}

}  // namespace

Parsed parse(const Args& args, const po::options_description& desc, size_t stop_after) {
  Parsed out;
  std::vector<std::string> opts;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() > 1 && a[0] == '-') {
      opts.push_back(a);
      // A flag that takes a value and was not given one with '=' consumes the next argument.
      if (a.find('=') != std::string::npos) continue;
      const po::option_description* d = lookup(desc, a);
      if (d && d->semantic()->max_tokens() > 0 && i + 1 < args.size()) opts.push_back(args[++i]);
      continue;
    }
    out.positionals.push_back(a);
    if (out.positionals.size() >= stop_after) {
      ++i;
      break;
    }
  }
  for (; i < args.size(); ++i) {
    if (out.positionals.size() < stop_after)
      out.positionals.push_back(args[i]);
    else
      out.rest.push_back(args[i]);
  }
  try {
    po::store(po::command_line_parser(opts)
                  .options(desc)
                  .style(po::command_line_style::default_style | po::command_line_style::allow_long_disguise)
                  .run(),
              out.vm);
    po::notify(out.vm);
  } catch (const po::error& e) {
    throw Error(e.what());
  }
  return out;
}

void require_args(const Parsed& p, const char* cmd, size_t exactly) {
  if (p.positionals.size() != exactly)
    throw Error(std::string("\"") + cmd + "\" requires exactly " + std::to_string(exactly) + " argument(s)");
}

void require_min_args(const Parsed& p, const char* cmd, size_t at_least) {
  if (p.positionals.size() < at_least)
    throw Error(std::string("\"") + cmd + "\" requires a minimum of " + std::to_string(at_least) +
                " argument(s)");
}

std::string container_id(const Parsed& p, const char* cmd) {
  require_args(p, cmd, 1);
  return p.positionals[0];
}

}  // namespace agentrt::cli
