// ch-fetch: follows a Companies House stream and writes its event lines to
// stdout, byte for byte, plus gap control lines. Thin by design: no core
// dumps, options, key, then the Fetcher; the exit code comes from the
// Status it returns.
#include <unistd.h>

#include "ch-fetch/core_dumps.h"
#include "ch-fetch/curl_connector.h"
#include "ch-fetch/curl_handles.h"
#include "ch-fetch/fetch_metrics.h"
#include "ch-fetch/fetch_options.h"
#include "ch-fetch/fetcher.h"
#include "ch-fetch/reconnect_policy.h"
#include "ch-fetch/stream_key.h"
#include "ch-fetch/waiter.h"
#include "common/exit_code.h"
#include "common/log.h"
#include "common/output_writer.h"
#include "common/signals.h"

int main(int argc, char** argv) {
  // First of all, before the key is read: a core file would hold it.
  const ch::Status no_cores = ch::DisableCoreDumps();
  ch::InstallSignalHandlers();
  ch::FetchOptions options;
  if (auto exit = ch::ParseFetchOptions(argc, argv, &options)) return *exit;
  if (!no_cores.ok()) {
    // Not fatal: the key stays out of logs and argv either way.
    ch::LogWarn("cannot turn core dumps off", {{"error", no_cores.message()}});
  }
  ch::Status valid = ch::ValidateFetchOptions(options);
  if (!valid.ok()) {
    ch::LogError(valid.message(), {{"exit_code", ch::ExitCodeFor(valid)}});
    return ch::ExitCodeFor(valid);
  }
  const ch::KeySource key_source = ch::KeySourceFromEnvironment();
  ch::StatusOr<std::string> key = ch::LoadStreamKey(key_source);
  if (!key.ok() && key_source.from_file() && options.key_file_wait) {
    // A key file briefly missing or empty (a rotation, a remount) is
    // waited for by the Fetcher, which starts without a key.
    key = std::string();
  }
  if (!key.ok()) {
    ch::LogError(key.status().message(), {{"exit_code", ch::ExitCodeFor(key.status())}});
    return ch::ExitCodeFor(key.status());
  }
  if (options.check_config) return 0;

  ch::CurlGlobal curl;
  if (!curl.status().ok()) {
    ch::LogError(curl.status().message());
    return ch::ExitCodeFor(curl.status());
  }
  ch::CurlConnector connector;
  ch::ReconnectPolicy policy(options.backoff_initial, options.backoff_max,
                             options.breaker_threshold);
  ch::SystemWaiter waiter;
  ch::OutputWriter out(STDOUT_FILENO);
  ch::FetchMetrics metrics(options.common.metrics_dir, 2000, options.stream);
  ch::Fetcher fetcher(options, key_source, std::move(key.value()), &connector, &policy, &waiter,
                      &out, STDOUT_FILENO, &metrics);
  if (!options.common.metrics_dir.empty()) {
    out.SetBlockedHandler([&fetcher](double seconds) { fetcher.OnOutputBlocked(seconds); });
  }
  ch::Status s = fetcher.Run();
  if (!s.ok()) ch::LogError(s.message(), {{"exit_code", ch::ExitCodeFor(s)}});
  if (s.ok() && ch::StopRequested()) ch::LogInfo("stopped", {{"signal", ch::StopSignal()}});
  return ch::ExitCodeFor(s);
}
