// Signal handling: SIGTERM, SIGINT and SIGHUP only set a flag that the loops
// poll; handlers are installed without SA_RESTART so a blocking read or poll
// returns EINTR and the loop gets to look at the flag promptly. SIGPIPE is
// ignored: a closed stdout shows up as EPIPE from write(), an I/O error.
// With CH_EXIT_WITH_PARENT=PID in the environment (pipeline.sh gives its
// own pid) the process also gets SIGTERM when its parent dies, and stops at
// once when its parent is not PID (the supervisor died before the stage
// could ask for that). CH_EXIT_WITH_PARENT=1: whichever parent it has.
#ifndef CH_COMMON_SIGNALS_H_
#define CH_COMMON_SIGNALS_H_

namespace ch {

void InstallSignalHandlers();

// True once a stop signal has arrived.
bool StopRequested();

// The signal number that asked us to stop, 0 if none.
int StopSignal();

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread, so that they go
// to the main thread, whose loop acts on them. For helper threads.
void BlockStopSignalsInThisThread();

// For tests and for internal shutdown paths: behave as if signalled.
void RequestStop(int signal_number);
void ResetStopForTest();

}  // namespace ch

#endif  // CH_COMMON_SIGNALS_H_
