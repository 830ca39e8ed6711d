// WalWriteCoalescer: see wal_write_coalescer.h.
#include "ch-store/wal_write_coalescer.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <new>
#include <thread>

namespace ch {

namespace {

// SQLite's unix VFS writes at most 0x1ffff bytes per call (it masks the
// size: a larger write comes back short, as SQLITE_FULL), so that is the
// buffer: about 31 frames of 4 KiB pages per write(2) instead of 62.
constexpr int kBufferBytes = 0x1ffff;
// A WAL frame header: page number (4 bytes), then the database size in pages
// for a commit frame or 0 (4 bytes), then salts and checksums (16 bytes).
constexpr int kFrameHeaderBytes = 24;

struct ShimFile {
  sqlite3_file base;   // first: SQLite sees a sqlite3_file
  sqlite3_file* real;  // the wrapped file, stored right after this struct
  bool coalesce;       // a WAL or a main database file: writes are buffered
  bool wal;
  char* buffer;                 // pending writes (coalescing files only)
  int used;                     // bytes in buffer
  sqlite3_int64 offset;         // file offset of buffer[0]
  bool flush_after_next_write;  // the commit frame's header is buffered
  int deferred_error;           // a flush failed where no error could be returned
  // WAL read-ahead for sequential reads (a checkpoint copying appended pages).
  char* ahead;
  int ahead_used;
  sqlite3_int64 ahead_offset;
  sqlite3_int64 last_read_end;
  // Frame headers SQLite rewrote inside the read-ahead window and the shim
  // has not written yet (ahead[dirty_from, dirty_to)); empty when equal.
  int dirty_from = 0;
  int dirty_to = 0;
  struct ShimVfs* owner;  // the instance that opened it
  ShimFile* next;         // the owner's open coalescing files
  // The thread that last called into the file. A connection is used by one
  // thread at a time, and only that thread may flush or drop its buffers:
  // another thread flushing them while this one appends to them wrote torn
  // frames (WalWriteCoalescerTest.ThreadsWithTheirOwnConnectionsDoNot...).
  std::atomic<std::thread::id> user;
};

// One instance of the shim: the VFS SQLite sees and the coalescing files
// opened through it. Any use of the WAL index flushes the files of the
// instance that the calling thread last used (FlushAll).
struct ShimVfs {
  sqlite3_vfs vfs;  // first: SQLite sees a sqlite3_vfs
  std::mutex files_mutex;
  ShimFile* files = nullptr;  // guarded by files_mutex
};

ShimVfs g_shims[2];  // the default instance, and the second one
sqlite3_vfs* g_base = nullptr;
std::atomic<uint64_t> g_writes_issued{0};

ShimFile* Shim(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f); }
// Shim(), noting the calling thread as the file's user.
ShimFile* Use(sqlite3_file* file) {
  ShimFile* f = Shim(file);
  f->user.store(std::this_thread::get_id(), std::memory_order_relaxed);
  return f;
}
const sqlite3_io_methods* Real(ShimFile* f) { return f->real->pMethods; }

// Whether the byte ranges [offset, offset + amount) and [from, to) share a byte.
bool Overlaps(sqlite3_int64 offset, int amount, sqlite3_int64 from, sqlite3_int64 to) {
  return offset < to && offset + amount > from;
}

// Whether the write [offset, offset + amount) touches bytes still pending in
// the buffer.
bool OverlapsPending(const ShimFile* f, sqlite3_int64 offset, int amount) {
  return f->used > 0 && Overlaps(offset, amount, f->offset, f->offset + f->used);
}

// Whether a WAL frame header carries a database size: the commit frame's.
bool IsCommitFrameHeader(const void* header) {
  const auto* h = static_cast<const unsigned char*>(header);
  return (h[4] | h[5] | h[6] | h[7]) != 0;
}

// Writes the pending writes, then the rewritten frame headers of the
// read-ahead window (in that order: the window holds the newest bytes of
// any range the two share, see ShimWrite).
int Flush(ShimFile* f) {
  int rc = SQLITE_OK;
  if (f->used > 0) {
    const int used = f->used;
    f->used = 0;
    ++g_writes_issued;
    rc = Real(f)->xWrite(f->real, f->buffer, used, f->offset);
  }
  if (f->dirty_to > f->dirty_from) {
    const int from = f->dirty_from;
    const int to = f->dirty_to;
    f->dirty_from = f->dirty_to = 0;
    ++g_writes_issued;
    const int dirty_rc =
        Real(f)->xWrite(f->real, f->ahead + from, to - from, f->ahead_offset + from);
    if (rc == SQLITE_OK) rc = dirty_rc;
  }
  return rc;
}

// Flushes, reporting a failure that happened earlier where it could not be.
int FlushForCall(ShimFile* f) {
  if (!f->coalesce) return SQLITE_OK;
  const int rc = Flush(f);
  f->ahead_used = 0;  // anything may change after this call: read again
  if (f->deferred_error != SQLITE_OK) {
    const int deferred = f->deferred_error;
    f->deferred_error = SQLITE_OK;
    return deferred;
  }
  return rc;
}

// Flush() where no error can be returned: the failure is kept for the
// file's next call that can report it. What was read ahead is dropped.
void FlushDeferringError(ShimFile* f) {
  const int rc = Flush(f);
  f->ahead_used = 0;
  if (rc != SQLITE_OK && f->deferred_error == SQLITE_OK) f->deferred_error = rc;
}

// Before the WAL index (shared memory) is touched or a file deleted, every
// buffered write must be in its file, and what was read ahead may be stale
// (another connection may have restarted the WAL). Only the calling
// thread's files: another thread's buffers hold no more than the frames of
// its own transaction in progress, which no other connection may see yet,
// and that thread flushes them itself before it touches the index.
void FlushAll(ShimVfs* shim) {
  const std::thread::id self = std::this_thread::get_id();
  std::lock_guard<std::mutex> lock(shim->files_mutex);
  for (ShimFile* f = shim->files; f != nullptr; f = f->next) {
    if (f->user.load(std::memory_order_relaxed) != self) continue;
    FlushDeferringError(f);
  }
}

int ShimClose(sqlite3_file* file) {
  ShimFile* f = Use(file);
  int rc = SQLITE_OK;
  if (f->coalesce) {
    rc = FlushForCall(f);
    std::lock_guard<std::mutex> lock(f->owner->files_mutex);
    for (ShimFile** p = &f->owner->files; *p != nullptr; p = &(*p)->next) {
      if (*p == f) {
        *p = f->next;
        break;
      }
    }
    sqlite3_free(f->buffer);
    sqlite3_free(f->ahead);
    f->buffer = f->ahead = nullptr;
  }
  const int close_rc = Real(f)->xClose(f->real);
  return rc != SQLITE_OK ? rc : close_rc;
}

// Serves a sequential WAL read from the read-ahead buffer, filling it when
// the read continues where the previous one ended (give or take a frame
// header or a skipped frame). Returns false to read directly.
bool ReadAhead(ShimFile* f, void* data, int amount, sqlite3_int64 offset, int* rc) {
  const bool sequential = offset >= f->last_read_end && offset - f->last_read_end <= 2 * 4096 + 64;
  f->last_read_end = offset + amount;
  const bool inside = f->ahead_used > 0 && offset >= f->ahead_offset &&
                      offset + amount <= f->ahead_offset + f->ahead_used;
  if (!inside) {
    if (!sequential || amount > kBufferBytes / 4) return false;
    sqlite3_int64 size = 0;
    *rc = Real(f)->xFileSize(f->real, &size);
    if (*rc != SQLITE_OK) return true;
    const sqlite3_int64 available = size - offset;
    if (available < amount) return false;  // let the VFS report the short read
    const int fill = static_cast<int>(available < kBufferBytes ? available : kBufferBytes);
    *rc = Flush(f);  // the file must hold the pending writes before we read it
    f->ahead_used = 0;
    if (*rc != SQLITE_OK) return true;
    *rc = Real(f)->xRead(f->real, f->ahead, fill, offset);
    if (*rc != SQLITE_OK) return true;
    f->ahead_offset = offset;
    f->ahead_used = fill;
  }
  std::memcpy(data, f->ahead + (offset - f->ahead_offset), static_cast<size_t>(amount));
  *rc = SQLITE_OK;
  return true;
}

int ShimRead(sqlite3_file* file, void* data, int amount, sqlite3_int64 offset) {
  ShimFile* f = Use(file);
  if (f->coalesce) {
    if (f->deferred_error != SQLITE_OK) return FlushForCall(f);
    // Pending writes matter only to a read of the same bytes (what was read
    // ahead already holds them).
    const bool dirty_overlaps =
        f->dirty_to > f->dirty_from &&
        Overlaps(offset, amount, f->ahead_offset + f->dirty_from, f->ahead_offset + f->dirty_to);
    if (dirty_overlaps || OverlapsPending(f, offset, amount)) {
      const int rc = Flush(f);
      if (rc != SQLITE_OK) return rc;
    }
    int rc = SQLITE_OK;
    if (f->wal && f->ahead != nullptr && ReadAhead(f, data, amount, offset, &rc)) return rc;
  }
  return Real(f)->xRead(f->real, data, amount, offset);
}

int ShimWrite(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  ShimFile* f = Use(file);
  if (!f->coalesce) return Real(f)->xWrite(f->real, data, amount, offset);
  if (f->deferred_error != SQLITE_OK) return FlushForCall(f);
  // Keep what was read ahead equal to the file: SQLite rewrites frame
  // headers in place while it reads the frames (recomputing checksums).
  if (f->ahead_used > 0 &&
      Overlaps(offset, amount, f->ahead_offset, f->ahead_offset + f->ahead_used)) {
    const sqlite3_int64 from = offset > f->ahead_offset ? offset : f->ahead_offset;
    const sqlite3_int64 to = offset + amount < f->ahead_offset + f->ahead_used
                                 ? offset + amount
                                 : f->ahead_offset + f->ahead_used;
    std::memcpy(f->ahead + (from - f->ahead_offset),
                static_cast<const char*>(data) + (from - offset), static_cast<size_t>(to - from));
  }
  // A frame header rewritten inside the read-ahead window (SQLite
  // recomputing the checksums of every frame after one it overwrote, at
  // commit: a 24-byte write per frame) stays in the window, which the next
  // flush writes in one call. The window already holds the new bytes.
  if (f->wal && amount == kFrameHeaderBytes && f->ahead_used > 0 && offset >= f->ahead_offset &&
      offset + amount <= f->ahead_offset + f->ahead_used && !OverlapsPending(f, offset, amount)) {
    const int from = static_cast<int>(offset - f->ahead_offset);
    if (f->dirty_to == f->dirty_from) {
      f->dirty_from = from;
      f->dirty_to = from + amount;
    } else {
      f->dirty_from = std::min(f->dirty_from, from);
      f->dirty_to = std::max(f->dirty_to, from + amount);
    }
    // The commit frame's header (its database size is set) is the last one
    // rewritten: write them all now, so that a failed write fails the
    // commit before SQLite publishes it, as for an appended commit frame.
    if (IsCommitFrameHeader(data)) return Flush(f);
    return SQLITE_OK;
  }
  const bool contiguous = f->used > 0 && offset == f->offset + f->used;
  if (!contiguous || f->used + amount > kBufferBytes) {
    const int rc = Flush(f);
    if (rc != SQLITE_OK) return rc;
  }
  if (amount > kBufferBytes) {
    ++g_writes_issued;
    return Real(f)->xWrite(f->real, data, amount, offset);
  }
  if (f->used == 0) f->offset = offset;
  std::memcpy(f->buffer + f->used, data, static_cast<size_t>(amount));
  f->used += amount;
  if (!f->wal) return SQLITE_OK;
  if (f->flush_after_next_write) {
    // The page of the commit frame: the transaction is complete.
    f->flush_after_next_write = false;
    return Flush(f);
  }
  if (amount == kFrameHeaderBytes) f->flush_after_next_write = IsCommitFrameHeader(data);
  return SQLITE_OK;
}

int ShimTruncate(sqlite3_file* file, sqlite3_int64 size) {
  ShimFile* f = Use(file);
  const int rc = FlushForCall(f);
  if (rc != SQLITE_OK) return rc;
  return Real(f)->xTruncate(f->real, size);
}

int ShimSync(sqlite3_file* file, int flags) {
  ShimFile* f = Use(file);
  const int rc = FlushForCall(f);
  if (rc != SQLITE_OK) return rc;
  return Real(f)->xSync(f->real, flags);
}

int ShimFileSize(sqlite3_file* file, sqlite3_int64* size) {
  ShimFile* f = Use(file);
  const int rc = FlushForCall(f);
  if (rc != SQLITE_OK) return rc;
  return Real(f)->xFileSize(f->real, size);
}

int ShimLock(sqlite3_file* file, int level) {
  ShimFile* f = Use(file);
  const int rc = FlushForCall(f);
  if (rc != SQLITE_OK) return rc;
  return Real(f)->xLock(f->real, level);
}

int ShimUnlock(sqlite3_file* file, int level) {
  ShimFile* f = Use(file);
  const int rc = FlushForCall(f);
  const int unlock_rc = Real(f)->xUnlock(f->real, level);
  return rc != SQLITE_OK ? rc : unlock_rc;
}

int ShimCheckReservedLock(sqlite3_file* file, int* out) {
  ShimFile* f = Use(file);
  // (A file that does not coalesce never reads ahead either.)
  if (f->coalesce) FlushDeferringError(f);
  return Real(f)->xCheckReservedLock(f->real, out);
}

int ShimFileControl(sqlite3_file* file, int op, void* arg) {
  ShimFile* f = Use(file);
  const int rc = FlushForCall(f);
  if (rc != SQLITE_OK) return rc;
  return Real(f)->xFileControl(f->real, op, arg);
}

int ShimSectorSize(sqlite3_file* file) {
  ShimFile* f = Use(file);
  return Real(f)->xSectorSize(f->real);
}

int ShimDeviceCharacteristics(sqlite3_file* file) {
  ShimFile* f = Use(file);
  return Real(f)->xDeviceCharacteristics(f->real);
}

int ShimShmMap(sqlite3_file* file, int page, int page_size, int extend, void volatile** out) {
  ShimFile* f = Use(file);
  FlushAll(f->owner);
  return Real(f)->xShmMap(f->real, page, page_size, extend, out);
}

int ShimShmLock(sqlite3_file* file, int offset, int n, int flags) {
  ShimFile* f = Use(file);
  FlushAll(f->owner);
  return Real(f)->xShmLock(f->real, offset, n, flags);
}

void ShimShmBarrier(sqlite3_file* file) {
  ShimFile* f = Use(file);
  FlushAll(f->owner);
  Real(f)->xShmBarrier(f->real);
}

int ShimShmUnmap(sqlite3_file* file, int delete_flag) {
  ShimFile* f = Use(file);
  FlushAll(f->owner);
  return Real(f)->xShmUnmap(f->real, delete_flag);
}

int ShimFetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  ShimFile* f = Use(file);
  const int rc = FlushForCall(f);
  if (rc != SQLITE_OK) return rc;
  return Real(f)->xFetch(f->real, offset, amount, out);
}

int ShimUnfetch(sqlite3_file* file, sqlite3_int64 offset, void* p) {
  ShimFile* f = Use(file);
  return Real(f)->xUnfetch(f->real, offset, p);
}

// One table per io_methods version, so SQLite calls only what the wrapped
// file has.
constexpr sqlite3_io_methods MakeMethods(int version) {
  return sqlite3_io_methods{version,
                            ShimClose,
                            ShimRead,
                            ShimWrite,
                            ShimTruncate,
                            ShimSync,
                            ShimFileSize,
                            ShimLock,
                            ShimUnlock,
                            ShimCheckReservedLock,
                            ShimFileControl,
                            ShimSectorSize,
                            ShimDeviceCharacteristics,
                            ShimShmMap,
                            ShimShmLock,
                            ShimShmBarrier,
                            ShimShmUnmap,
                            ShimFetch,
                            ShimUnfetch};
}
const sqlite3_io_methods kMethods[3] = {MakeMethods(1), MakeMethods(2), MakeMethods(3)};

int ShimOpen(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
             int* out_flags) {
  // Every member zero (no thread for `user`), then the calling thread's.
  ShimFile* f = new (file) ShimFile{};
  f->user.store(std::this_thread::get_id(), std::memory_order_relaxed);
  f->owner = reinterpret_cast<ShimVfs*>(vfs);
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  const int rc = g_base->xOpen(g_base, name, f->real, flags, out_flags);
  const sqlite3_io_methods* real = f->real->pMethods;
  if (real != nullptr) {
    const int version = real->iVersion < 1 ? 1 : (real->iVersion > 3 ? 3 : real->iVersion);
    f->base.pMethods = &kMethods[version - 1];
  }
  if (rc != SQLITE_OK) return rc;
  const bool wal = (flags & SQLITE_OPEN_WAL) != 0;
  if (wal || (flags & SQLITE_OPEN_MAIN_DB) != 0) {
    f->buffer = static_cast<char*>(sqlite3_malloc(kBufferBytes));
    f->ahead = wal ? static_cast<char*>(sqlite3_malloc(kBufferBytes)) : nullptr;
    if (f->buffer != nullptr) {  // without a buffer the file is passed through
      f->coalesce = true;
      f->wal = wal;
      std::lock_guard<std::mutex> lock(f->owner->files_mutex);
      f->next = f->owner->files;
      f->owner->files = f;
    }
  }
  return SQLITE_OK;
}

// Deleting a rollback journal commits a transaction: the database writes
// before it must be out of the buffers first.
int VfsDelete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  FlushAll(reinterpret_cast<ShimVfs*>(vfs));
  return g_base->xDelete(g_base, name, sync_dir);
}
int VfsAccess(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_base->xAccess(g_base, name, flags, out);
}
int VfsFullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_base->xFullPathname(g_base, name, n, out);
}
void* VfsDlOpen(sqlite3_vfs*, const char* name) { return g_base->xDlOpen(g_base, name); }
void VfsDlError(sqlite3_vfs*, int n, char* out) { g_base->xDlError(g_base, n, out); }
void (*VfsDlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return g_base->xDlSym(g_base, handle, symbol);
}
void VfsDlClose(sqlite3_vfs*, void* handle) { g_base->xDlClose(g_base, handle); }
int VfsRandomness(sqlite3_vfs*, int n, char* out) { return g_base->xRandomness(g_base, n, out); }
int VfsSleep(sqlite3_vfs*, int micros) { return g_base->xSleep(g_base, micros); }
int VfsCurrentTime(sqlite3_vfs*, double* out) { return g_base->xCurrentTime(g_base, out); }
int VfsGetLastError(sqlite3_vfs*, int n, char* out) {
  return g_base->xGetLastError(g_base, n, out);
}
int VfsCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_base->xCurrentTimeInt64(g_base, out);
}

}  // namespace

Status InstallWalWriteCoalescer() {
  static std::once_flag once;
  static int rc = SQLITE_OK;
  std::call_once(once, [] {
    g_base = sqlite3_vfs_find(nullptr);
    if (g_base == nullptr) {
      rc = SQLITE_ERROR;
      return;
    }
    const char* const names[2] = {"chstream-wal-coalescer", "chstream-wal-coalescer-2"};
    for (int i = 0; i < 2 && rc == SQLITE_OK; ++i) {
      sqlite3_vfs& v = g_shims[i].vfs;
      std::memset(&v, 0, sizeof v);
      // Version 2 methods only: the system-call overrides of version 3 are
      // for testing SQLite itself.
      v.iVersion = 2;
      v.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_base->szOsFile;
      v.mxPathname = g_base->mxPathname;
      v.zName = names[i];
      v.xOpen = ShimOpen;
      v.xDelete = VfsDelete;
      v.xAccess = VfsAccess;
      v.xFullPathname = VfsFullPathname;
      v.xDlOpen = VfsDlOpen;
      v.xDlError = VfsDlError;
      v.xDlSym = VfsDlSym;
      v.xDlClose = VfsDlClose;
      v.xRandomness = VfsRandomness;
      v.xSleep = VfsSleep;
      v.xCurrentTime = VfsCurrentTime;
      v.xGetLastError = VfsGetLastError;
      v.xCurrentTimeInt64 = g_base->iVersion >= 2 ? VfsCurrentTimeInt64 : nullptr;
      rc = sqlite3_vfs_register(&v, /*makeDflt=*/i == 0 ? 1 : 0);
    }
  });
  if (rc != SQLITE_OK)
    return Status::Internal(std::string("install WAL write coalescer: ") + sqlite3_errstr(rc));
  return Status::Ok();
}

const char* WalWriteCoalescerSecondVfs() {
  return g_base != nullptr ? g_shims[1].vfs.zName : nullptr;
}

uint64_t WalWritesIssued() { return g_writes_issued.load(); }

}  // namespace ch
