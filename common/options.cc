// OptionParser: see options.h. Boost.Program_options reports errors by
// exception; they are caught here, at the edge, and never escape Parse().
#include "common/options.h"

#include <cstdio>
#include <iostream>

#include "common/exit_code.h"

namespace po = boost::program_options;

namespace ch {

OptionParser::OptionParser(std::string program, std::string synopsis, std::string description)
    : program_(std::move(program)),
      synopsis_(std::move(synopsis)),
      description_(std::move(description)),
      options_("Options") {
  options_.add_options()("help,h", po::bool_switch(&help_), "print this help and exit")(
      "version", po::bool_switch(&version_), "print the version and exit");
  Add("log-level", "CH_LOG_LEVEL", &common_.log_level, std::string("info"),
      "debug, info, warn or error");
  Add("metrics-dir", "CH_METRICS_DIR", &common_.metrics_dir, std::string(),
      "write <program>.prom here (Prometheus textfile format)");
}

std::string OptionParser::Describe(const std::string& help, const std::string& env) const {
  if (env.empty()) return help;
  return help + " [env " + env + "]";
}

void OptionParser::MapEnv(const std::string& name, const std::string& env) {
  if (env.empty()) return;
  env_to_option_[env] = name;
  option_to_env_[name] = env;
}

void OptionParser::AddSwitch(const std::string& name, bool* target, const std::string& help) {
  options_.add_options()(name.c_str(), po::bool_switch(target), help.c_str());
}

void OptionParser::AddPositional(std::vector<std::string>* target) {
  positional_target_ = target;
  options_.add_options()("positional-args", po::value<std::vector<std::string>>(target), "");
  positional_.add("positional-args", -1);
}

bool OptionParser::WasSet(const std::string& name) const {
  auto it = vm_.find(name);
  return it != vm_.end() && !it->second.defaulted();
}

std::string OptionParser::NameOf(const std::string& option) const {
  auto it = option_to_env_.find(option);
  if (it == option_to_env_.end()) return "--" + option;
  return "--" + option + "/" + it->second;
}

void OptionParser::PrintHelp() const {
  std::cout << "Usage: " << program_ << " " << synopsis_ << "\n";
  if (!description_.empty()) std::cout << "\n" << description_ << "\n";
  std::cout << "\n";
  // Hide the internal positional option from the listing.
  po::options_description visible("Options");
  for (const auto& opt : options_.options()) {
    if (opt->long_name() != "positional-args") visible.add(opt);
  }
  std::cout << visible << "\nEvery option can also be set by the environment variable shown;"
            << " a flag wins over the variable.\n";
}

std::optional<int> OptionParser::Parse(int argc, char** argv) {
  InitLog(program_, LogLevel::kInfo);
  try {
    po::command_line_parser parser(argc, argv);
    parser.options(options_).style(po::command_line_style::default_style &
                                   ~po::command_line_style::allow_guessing);
    if (positional_target_ != nullptr) parser.positional(positional_);
    const po::parsed_options parsed = parser.run();
    // Without AddPositional a word that is no option was dropped silently
    // ("ch-parse filings" parsed the companies stream): a usage error.
    for (const po::option& o : parsed.options) {
      if (o.string_key.empty() && !o.value.empty()) {
        LogError("unexpected argument '" + o.value.front() + "'. Try '" + program_ + " --help'.",
                 {{"exit_code", kExitUsage}});
        return kExitUsage;
      }
    }
    po::store(parsed, vm_);
  } catch (const po::validation_error& e) {
    LogError(std::string("invalid value: ") + e.what(), {{"exit_code", kExitConfig}});
    return kExitConfig;
  } catch (const po::error& e) {
    // The hint stays inside the message: the line is JSON like every other.
    LogError(std::string(e.what()) + ". Try '" + program_ + " --help'.",
             {{"exit_code", kExitUsage}});
    return kExitUsage;
  }
  try {
    po::store(po::parse_environment(options_,
                                    [this](const std::string& env) -> std::string {
                                      auto it = env_to_option_.find(env);
                                      return it == env_to_option_.end() ? "" : it->second;
                                    }),
              vm_);
    po::notify(vm_);
  } catch (const po::error& e) {
    // Only values can be wrong here: name the variable that holds it.
    std::string option;
    if (const auto* ve = dynamic_cast<const po::error_with_option_name*>(&e)) {
      option = ve->get_option_name();
      while (!option.empty() && option[0] == '-') option.erase(0, 1);
    }
    auto it = option_to_env_.find(option);
    std::string message = "invalid value in the environment";
    if (it != option_to_env_.end()) message += " variable " + it->second;
    LogError(message + ": " + e.what(), {{"exit_code", kExitConfig}});
    return kExitConfig;
  }
  for (auto& assign : optional_targets_) assign();
  if (help_) {
    PrintHelp();
    return kExitOk;
  }
  if (version_) {
    std::cout << program_ << " " << kVersion << "\n";
    return kExitOk;
  }
  LogLevel level;
  if (!ParseLogLevel(common_.log_level, &level)) {
    LogError("invalid value for " + NameOf("log-level") + ": '" + common_.log_level +
                 "' (use debug, info, warn or error)",
             {{"exit_code", kExitConfig}});
    return kExitConfig;
  }
  SetLogLevel(level);
  return std::nullopt;
}

}  // namespace ch
