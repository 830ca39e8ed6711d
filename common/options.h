// Command-line options through Boost.Program_options, where every option is
// also a CH_* environment variable (cron runs with the environment alone).
// The command line wins over the environment, which wins over defaults.
//
//   OptionParser parser("ch-parse", "[options] < events.ndjson");
//   parser.Add("stream", "CH_STREAM", &options.stream, "companies", "stream name");
//   if (auto exit = parser.Parse(argc, argv)) return *exit;
//
// Unknown flags and missing arguments are usage errors (exit 64, with a hint
// to --help); an invalid value, from a flag or a variable, is a configuration
// error (exit 78) naming the flag or the variable.
#ifndef CH_COMMON_OPTIONS_H_
#define CH_COMMON_OPTIONS_H_

#include <boost/program_options.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/log.h"

namespace ch {

inline constexpr const char* kVersion = "0.1.0";

/// Options every program has.
struct CommonOptions {
  /// debug, info, warn, error (CH_LOG_LEVEL).
  std::string log_level = "info";
  /// Directory for <program>.prom metrics files; empty: no metrics (CH_METRICS_DIR).
  std::string metrics_dir;
};

class OptionParser {
 public:
  OptionParser(std::string program, std::string synopsis, std::string description = "");

  // Adds --name (and the environment variable `env`, unless empty) bound to
  // `target`, with a default value.
  template <typename T>
  void Add(const std::string& name, const std::string& env, T* target, const T& default_value,
           const std::string& help) {
    options_.add_options()(name.c_str(),
                           boost::program_options::value<T>(target)->default_value(default_value),
                           Describe(help, env).c_str());
    MapEnv(name, env);
  }
  // Same without a default: the target keeps its value unless given.
  template <typename T>
  void AddOptional(const std::string& name, const std::string& env, std::optional<T>* target,
                   const std::string& help) {
    optional_targets_.push_back([this, name, target]() {
      if (vm_.count(name) != 0) *target = vm_[name].as<T>();
    });
    options_.add_options()(name.c_str(), boost::program_options::value<T>(),
                           Describe(help, env).c_str());
    MapEnv(name, env);
  }
  // A flag without a value (a switch); no environment variable.
  void AddSwitch(const std::string& name, bool* target, const std::string& help);
  // Positional arguments collected in order (e.g. a subcommand and its args).
  void AddPositional(std::vector<std::string>* target);

  // Parses argv then the environment. Returns nullopt to carry on, or the exit
  // code to return now (0 after --help or --version; 64 or 78 after an error,
  // reported on stderr). Also initialises logging from --log-level.
  std::optional<int> Parse(int argc, char** argv);

  const CommonOptions& common() const { return common_; }
  // Whether the option was given on the command line or in the environment.
  bool WasSet(const std::string& name) const;
  // The environment variable of an option, for error messages ("--db/CH_DB").
  std::string NameOf(const std::string& option) const;

 private:
  std::string Describe(const std::string& help, const std::string& env) const;
  void MapEnv(const std::string& name, const std::string& env);
  void PrintHelp() const;

  std::string program_;
  std::string synopsis_;
  std::string description_;
  boost::program_options::options_description options_;
  boost::program_options::positional_options_description positional_;
  std::vector<std::string>* positional_target_ = nullptr;
  std::map<std::string, std::string> env_to_option_;
  std::map<std::string, std::string> option_to_env_;
  std::vector<std::function<void()>> optional_targets_;
  boost::program_options::variables_map vm_;
  CommonOptions common_;
  bool help_ = false;
  bool version_ = false;
};

}  // namespace ch

#endif  // CH_COMMON_OPTIONS_H_
