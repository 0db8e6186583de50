// ServerRealm: one Realm as ros-syncd serves it — its RealmStore, the
// sessions bound to it, the uploads waiting to be integrated — all touched
// only on the Realm's own strand, which runs on the storage thread pool, off
// the network threads (design.md, "Inside ros-syncd").
//
// What it does, per protocol.md:
// - allocates client file identifiers (BIND with need = 1, 3.4) and checks a
//   client's IDENT (3.7, zombie connections included), after integrating any
//   upload of that file still waiting (4.8), then sends the first DOWNLOAD;
// - checks each UPLOAD against the session's cursors (3.8), drops entries at
//   or below the threshold, and queues the rest; queued uploads of all
//   sessions are integrated together in one transaction (group commit) the
//   next time the strand is free, so many uploads share one fsync;
// - after every commit, and only then, sends DOWNLOADs to every bound session
//   (3.9): the uploader's acknowledgement and everyone else's changes, in
//   batches of at most max_download_bytes; answers MARKs (3.10) once a
//   session has everything. A session has at most one DOWNLOAD on its way:
//   the next is built only after its connection reports the previous one
//   written (download_written), so a client that stops reading holds one
//   message, not the whole history (issue 14);
// - refuses a session with a session ERROR through its sink (never a code
//   that crashes 14.x clients): 206 without read (BIND is the connection's
//   check; here, on a revocation) or without write for an UPLOAD with
//   changesets; 208-212, 216, 222 from the store (212 also for an upload
//   beyond the store's limits); 201 (try again) when the file cannot be
//   opened or written, or memory ran out (bad_alloc never leaves a strand
//   handler);
// - closes its store once it had no session and nothing to integrate for
//   idle_timeout (close_if_idle), and opens it again on the next use.
//
// Thread safety: every public method may be called from any thread; it posts
// to the strand and returns. with_store() blocks the caller until the strand
// ran the function: never call it from the strand, the storage pool or a
// network thread (control ops use the *_async forms, whose callback runs on
// the strand and must not block).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/strand.hpp>
#include <nlohmann/json.hpp>

#include "admin/permissions.hpp"
#include "auth/token.hpp"
#include "common/result.hpp"
#include "sync/server/session_cursors.hpp"
#include "sync/server/session_sink.hpp"
#include "sync/server/stats.hpp"
#include "sync/store/realm_store.hpp"

namespace ros::sync::server {

// Decides a session's rights again (rights.hpp's session_rights, bound to
// admin.db by the caller).
using RightsCheck =
    std::function<Result<admin::Rights>(const auth::TokenClaims&, std::string_view realm_path)>;

// Who a session is and what it may do, fixed at BIND and re-decided on
// permission changes.
struct SessionAccess {
  auth::TokenClaims claims;
  admin::Rights rights;
};

class ServerRealm : public std::enable_shared_from_this<ServerRealm> {
 public:
  struct Options {
    std::string path;               // the resolved Realm path
    std::filesystem::path file;     // its store file
    std::uint64_t max_download_bytes = 16 * 1024 * 1024;
    RightsCheck rights;             // may be empty: rights are never re-decided
    Stats* stats = nullptr;         // may be null
    store::StoreLimits store_limits;  // per upload (sync.max_changeset_instructions, ...)
    // A Realm without sessions and uploads for this long closes its file.
    std::chrono::steady_clock::duration idle_timeout = std::chrono::seconds(60);
    // Called on the strand after a commit that created versions (the change
    // feed's wake-up); may be empty. Must not block.
    std::function<void(const std::string& path)> on_commit;
  };

  ServerRealm(boost::asio::any_io_executor storage_executor, Options options);
  ~ServerRealm();

  const std::string& path() const { return options_.path; }

  // Sessions bound (IDENT accepted) right now; for listings.
  std::int64_t session_count() const { return session_count_.load(); }

  void allocate_ident(SessionKey key);
  // `may_send`: whether the first DOWNLOAD may be built at once; if not, it
  // waits for download_written() (the connection's buffer is full).
  void ident(SessionKey key, protocol::ClientIdent ident, SessionAccess access,
             bool may_send = true);
  void upload(SessionKey key, protocol::Upload upload);
  void mark(SessionKey key, std::uint64_t request_ident);
  // The session ended on the connection (UNBIND, an ERROR sent, the
  // connection gone): forget it. Its queued uploads are still integrated.
  void detach(SessionKey key);
  // The connection wrote the session's last DOWNLOAD: the next may be built.
  void download_written(SessionKey key);

  // Closes the store if no session is bound, nothing waits to be integrated
  // and that has been so for idle_timeout; the next use opens it again.
  void close_if_idle();

  // Re-decides the rights of the sessions whose token identity is
  // `identity` (every session when nullopt) and ends those that lost read
  // with ERROR 206.
  void recheck_rights(std::optional<std::string> identity);

  // Runs `f` on the strand with the open store and waits for its result.
  Result<nlohmann::json> with_store(
      std::function<Result<nlohmann::json>(store::RealmStore&)> f);

  // Ends every session (ERROR 200, try again: a client that comes back finds
  // the Realm gone and resets), closes the store and refuses everything
  // after; waits until done. For removing the Realm.
  void shut_down(const std::string& reason);

  // A description of each bound session, for session.list; waits.
  std::vector<nlohmann::json> describe_sessions();

  // The same without waiting: `done` runs on the strand with the result.
  void with_store_async(std::function<Result<nlohmann::json>(store::RealmStore&)> f,
                        std::function<void(Result<nlohmann::json>)> done);
  void shut_down_async(std::string reason, std::function<void()> done);
  void describe_sessions_async(std::function<void(std::vector<nlohmann::json>)> done);

 private:
  struct Session;
  struct PendingUpload {
    SessionKey key;
    store::Upload upload;
  };

  template <class F>
  void on_strand(F f);

  Result<void> ensure_store();
  Session* find(const SessionKey& key);
  void fail(const SessionKey& key, protocol::ProtocolError code, std::string message,
            bool try_again);
  void remove_session(const SessionKey& key);
  void integrate_pending();
  void flush_pending_of(std::uint64_t client_file_ident);
  // Sends the DOWNLOADs that bring `session` to the newest version (at least
  // one when `first`), then answers its MARK if one waits. False when the
  // session was failed meanwhile.
  bool pump(Session& session, bool first);
  void pump_all();
  std::vector<nlohmann::json> describe_on_strand() const;

  const Options options_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  std::atomic<std::int64_t> session_count_{0};

  // Strand only:
  std::unique_ptr<store::RealmStore> store_;
  std::vector<std::unique_ptr<Session>> sessions_;
  std::vector<PendingUpload> pending_;
  std::chrono::steady_clock::time_point idle_since_ = std::chrono::steady_clock::now();
  bool integration_scheduled_ = false;
  bool shut_ = false;
};

}  // namespace ros::sync::server
