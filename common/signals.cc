// Stop flag set from signal handlers: see signals.h.
#include "common/signals.h"

#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace ch {

namespace {

volatile std::sig_atomic_t g_stop_signal = 0;

void OnStopSignal(int signal_number) { g_stop_signal = signal_number; }

}  // namespace

void BlockStopSignalsInThisThread() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
}

void InstallSignalHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: blocking calls must return EINTR
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGHUP, &action, nullptr);

  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, nullptr);

  // Under pipeline.sh the stages must not outlive the supervisor, even when
  // it is killed with -9 and cannot pass a signal on: ask the kernel to send
  // SIGTERM when the parent dies. Opt-in, so a stage started by hand and
  // backgrounded keeps running when its shell exits.
  // The value is the supervisor's pid (pipeline.sh gives its own), or 1
  // for "whichever parent this process has now".
  const char* with_parent = std::getenv("CH_EXIT_WITH_PARENT");
  char* end = nullptr;
  const long expected =
      with_parent != nullptr && *with_parent != '\0' ? std::strtol(with_parent, &end, 10) : 0;
  if (expected >= 1 && end != nullptr && *end == '\0') {
    const pid_t parent = expected > 1 ? static_cast<pid_t>(expected) : getppid();
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    // The parent may have died before prctl took effect, even before this
    // process started: it then has another parent already (init or a
    // subreaper), and stops at once instead of running on as an orphan.
    if (getppid() != parent) g_stop_signal = SIGTERM;
  }
}

bool StopRequested() { return g_stop_signal != 0; }

int StopSignal() { return g_stop_signal; }

void RequestStop(int signal_number) { g_stop_signal = signal_number; }

void ResetStopForTest() { g_stop_signal = 0; }

}  // namespace ch
