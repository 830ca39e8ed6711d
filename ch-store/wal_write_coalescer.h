// WalWriteCoalescer: an SQLite VFS shim that turns the many small writes
// SQLite makes to the write-ahead log into a few large ones.
//
// SQLite appends each WAL frame with two write(2) calls (a 24-byte header,
// then the page), so a transaction that dirties 4,000 pages costs 8,000
// system calls; on a virtual machine that was a third of ch-store's time.
// The shim gathers consecutive writes to a WAL file in a 128 KiB buffer and
// writes them in one call when the buffer is full, when anything else touches
// the file, and always at the commit frame: a commit frame's header carries
// the database size, so the shim knows that the page after it ends the
// transaction and writes everything before SQLite goes on to publish the
// commit in the WAL index. A commit therefore reaches the operating system
// exactly as it does without the shim (a process crash loses nothing
// committed), and a failed write (a full disk) is still reported by the write
// that ends the transaction, which SQLite then rolls back. As a backstop, any
// use of the shared-memory index flushes every buffered WAL first.
//
// A transaction larger than the page cache writes pages to the WAL before
// its commit; when such a page changes again SQLite overwrites its frame,
// and at commit rewrites the 24-byte header of every later frame (their
// checksums are chained), reading the frames in order. Those header writes
// land in the read-ahead window the reads filled and go to the file as one
// write per window, before anything that may read the file or publish the
// commit: 100,000 company records, 52,566 of 62,985 WAL writes were such
// headers; ch-store 1.16 s -> 1.07 s (median of 6 alternating runs).
//
// Files other than WAL files are passed through untouched.
#ifndef CH_STORE_WAL_WRITE_COALESCER_H_
#define CH_STORE_WAL_WRITE_COALESCER_H_

#include <cstdint>

#include "common/status.h"

namespace ch {

// Registers the shim as SQLite's default VFS, and its second instance
// (once; later calls do nothing). Connections opened afterwards use it.
Status InstallWalWriteCoalescer();

// The shim comes as two VFS instances: the default one, and a second one for
// a connection that another thread uses (background_checkpointer.h). Any use
// of the WAL index flushes the buffers of every file of the same instance
// that the calling thread last used: threads with their own connections may
// share an instance (a test's second writer does), but a connection must not
// be used by two threads at once. The second instance's name, null before
// InstallWalWriteCoalescer().
const char* WalWriteCoalescerSecondVfs();

// Writes issued to WAL files by the shim since start (for tests and metrics).
uint64_t WalWritesIssued();

}  // namespace ch

#endif  // CH_STORE_WAL_WRITE_COALESCER_H_
