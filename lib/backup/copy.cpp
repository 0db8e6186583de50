#include "backup/copy.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include "storage/sqlite.hpp"

namespace ros::backup {
namespace {

namespace fs = std::filesystem;

bool cancelled(const std::atomic<bool>* cancel) { return cancel && cancel->load(); }

Error interrupted() { return make_error(Errc::unavailable, "interrupted"); }

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

// The system's reason, with a hint for the two ways a full target shows.
std::string reason(int err) {
  std::string text = std::strerror(err);
  if (err == ENOSPC || err == EFBIG || err == EDQUOT) {
    text += " (the target's file system is full or a size limit was reached)";
  }
  return text;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

void copy_mode(const fs::path& source, const fs::path& target) {
  std::error_code ec;
  auto perms = fs::status(source, ec).permissions();
  if (!ec) fs::permissions(target, perms, ec);
}

// Waits for a busy source up to ~10 s, but gives up at once when cancelled,
// so a signal is obeyed even while a writer holds the database.
int on_busy(void* cancel, int count) {
  if (cancelled(static_cast<const std::atomic<bool>*>(cancel)) || count >= 500) return 0;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return 1;
}

// Opens `file` read-write without creating it, else read-only (see the header).
Result<sql::Db> open_source(const fs::path& file, const std::atomic<bool>* cancel) {
  for (int flags : {SQLITE_OPEN_READWRITE, SQLITE_OPEN_READONLY}) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(file.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    sql::Db db(raw);
    if (rc == SQLITE_OK) {
      sqlite3_extended_result_codes(raw, 1);
      sqlite3_busy_handler(raw, on_busy, const_cast<std::atomic<bool>*>(cancel));
      return db;
    }
    if (flags == SQLITE_OPEN_READONLY) {
      return make_error(Errc::unavailable, "cannot open " + quoted(file) + ": " +
                                               (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
  }
  return make_error(Errc::internal, "unreachable");
}

// A failed backup step: a full or failing target names the system's reason;
// anything else (a damaged source, say) is reported for the pair.
Error copy_error(sqlite3* db, const fs::path& source, const fs::path& target, int rc) {
  const int err = sqlite3_system_errno(db);
  const int primary = rc & 0xff;
  if (primary == SQLITE_FULL || (primary == SQLITE_IOERR && err != 0)) {
    return make_error(Errc::unavailable, "cannot write " + quoted(target) + ": " +
                                             reason(err != 0 ? err : ENOSPC));
  }
  return make_error(Errc::unavailable, "cannot copy " + quoted(source) + " to " + quoted(target) +
                                           ": " + sqlite3_errstr(rc));
}

}  // namespace

bool is_sqlite_file(const fs::path& file) {
  static constexpr char kMagic[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                      'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};
  Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return false;
  char head[16];
  return ::read(fd.get(), head, sizeof head) == static_cast<ssize_t>(sizeof head) &&
         std::memcmp(head, kMagic, sizeof head) == 0;
}

Result<void> sync_path(const fs::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    return make_error(Errc::unavailable, "cannot sync " + quoted(path) + ": " + reason(errno));
  }
  return {};
}

Result<std::uint64_t> copy_database(const fs::path& source, const fs::path& target,
                                    const std::atomic<bool>* cancel, const OnBytes& on_bytes) {
  auto src = open_source(source, cancel);
  if (!src) return src.error();
  sqlite3* s = src->get();
  // One read transaction around the whole copy: every backup step reads the
  // same snapshot, so writers never restart it and the copy is one commit's.
  if (auto r = sql::exec(s, "BEGIN"); !r) {
    return make_error(r.error().code, "cannot read " + quoted(source) + ": " + r.error().message);
  }
  if (auto r = sql::query_int(s, "SELECT count(*) FROM sqlite_master"); !r) {
    if (cancelled(cancel)) return interrupted();
    return make_error(r.error().code, "cannot read " + quoted(source) + ": " + r.error().message);
  }

  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(target.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  sql::Db dst(raw);
  if (rc != SQLITE_OK) {
    return make_error(Errc::unavailable, "cannot create " + quoted(target) + ": " +
                                             (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);

  sqlite3_backup* backup = sqlite3_backup_init(raw, "main", s, "main");
  if (!backup) {
    return make_error(Errc::unavailable,
                      "cannot copy " + quoted(source) + ": " + sqlite3_errmsg(raw));
  }
  const auto page_size = sql::query_int(s, "PRAGMA page_size");
  const std::uint64_t bytes_per_page = page_size && *page_size ? static_cast<std::uint64_t>(**page_size) : 4096;
  int busy_rounds = 0;
  for (;;) {
    if (cancelled(cancel)) {
      sqlite3_backup_finish(backup);
      return interrupted();
    }
    rc = sqlite3_backup_step(backup, 256);
    if (on_bytes) {
      const int total = sqlite3_backup_pagecount(backup);
      const int left = sqlite3_backup_remaining(backup);
      on_bytes(static_cast<std::uint64_t>(total - left) * bytes_per_page);
    }
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_OK) continue;
    const int primary = rc & 0xff;
    if ((primary == SQLITE_BUSY || primary == SQLITE_LOCKED) && ++busy_rounds < 200) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    break;
  }
  const int finished = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return copy_error(raw, source, target, rc);
  if (finished != SQLITE_OK) return copy_error(raw, source, target, finished);
  // The snapshot is released only now, after the last page was read.
  (void)sql::exec(s, "COMMIT");
  dst.reset();
  auto size = fs::file_size(target);
  copy_mode(source, target);
  if (auto r = sync_path(target); !r) return r.error();
  return static_cast<std::uint64_t>(size);
}

Result<std::uint64_t> copy_file(const fs::path& source, const fs::path& target,
                                const std::atomic<bool>* cancel, const OnBytes& on_bytes) {
  Fd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) {
    return make_error(Errc::unavailable, "cannot read " + quoted(source) + ": " + reason(errno));
  }
  Fd out(::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (out.get() < 0) {
    return make_error(Errc::unavailable, "cannot create " + quoted(target) + ": " + reason(errno));
  }
  std::vector<char> buffer(1 << 20);
  std::uint64_t copied = 0;
  for (;;) {
    if (cancelled(cancel)) return interrupted();
    ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(Errc::unavailable, "cannot read " + quoted(source) + ": " + reason(errno));
    }
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out.get(), buffer.data() + done, static_cast<std::size_t>(n - done));
      if (w < 0) {
        if (errno == EINTR) continue;
        return make_error(Errc::unavailable,
                          "cannot write " + quoted(target) + ": " + reason(errno));
      }
      done += w;
    }
    copied += static_cast<std::uint64_t>(n);
    if (on_bytes) on_bytes(copied);
  }
  if (::fsync(out.get()) != 0) {
    return make_error(Errc::unavailable, "cannot write " + quoted(target) + ": " + reason(errno));
  }
  if (::close(out.release()) != 0) {
    return make_error(Errc::unavailable, "cannot write " + quoted(target) + ": " + reason(errno));
  }
  copy_mode(source, target);
  return copied;
}

}  // namespace ros::backup
