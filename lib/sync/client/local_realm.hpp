// LocalRealm: the client side of one Realm file, without any network: its
// materialized state (a JournalState), its client file identity, its sync
// cursors, and the local history of changesets the server has not integrated
// yet (protocol.md 3.6, 3.11, 3.12; merge.md 3.5).
//
// What it promises:
// - Client versions count commits as a realm-core client counts them: 1 is
//   the empty file; every local write, storing a new identifier, and every
//   integrated DOWNLOAD (empty ones included) is one more version.
// - write() applies a changeset to the local state at once (the applier's
//   rules) and keeps its bytes, as written, for upload, with its causal base
//   (the server version integrated at that moment) and origin timestamp.
//   A changeset the applier refuses is an error and changes nothing; so is
//   one with an array update whose prior_size is not the list's size (made
//   for an older state: the merge could never handle it).
// - next_upload() builds the UPLOADs of a session in client-version order:
//   entries after the upload cursor, at most ~128 KiB of changesets per
//   message (a larger single changeset goes alone), progress and locked
//   server version as protocol.md 2.3 defines them, and a progress-only
//   UPLOAD when the integrated server version moved since the last report.
//   start_session() rewinds to the last upload cursor the server reported, so
//   a reconnect re-sends exactly what the server may not have integrated (the
//   server skips the rest: no duplicates).
// - integrate() performs every check of protocol.md 3.11 on a DOWNLOAD before
//   touching anything (a failure is a protocol_violation and changes
//   nothing), then merges each group of entries with equal
//   last_integrated_client_version against the local changesets newer than
//   that version (merge.hpp), applies them, updates the cursors and drops
//   local history the server has integrated. A changeset that does not parse,
//   merge or apply is an integration error with code 212 (the client then
//   sends JSON_ERROR 212); the state may then be partly updated and the
//   session must stop.
//
// Thread safety: none; the owner (Client) serializes access.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "sync/changeset/instruction.hpp"
#include "sync/client/journal_state.hpp"
#include "sync/changeset/value_json.hpp"
#include "sync/client/sync_error.hpp"
#include "sync/protocol/messages.hpp"

namespace ros::sync::client {

// A (server_version, client_version) download cursor, or a (client_version,
// server_version) upload cursor.
struct DownloadCursor {
  std::uint64_t server_version = 0;
  std::uint64_t client_version = 0;
  bool operator==(const DownloadCursor&) const = default;
};
struct UploadCursor {
  std::uint64_t client_version = 0;
  std::uint64_t server_version = 0;
  bool operator==(const UploadCursor&) const = default;
};
struct SaltedVersion {
  std::uint64_t version = 0;
  std::int64_t salt = 0;
  bool operator==(const SaltedVersion&) const = default;
};

struct RealmProgress {
  std::uint64_t client_file_ident = 0;
  std::int64_t client_file_ident_salt = 0;
  std::uint64_t client_version = 1;   // newest local version
  DownloadCursor download;            // last integrated DOWNLOAD
  SaltedVersion latest;               // server's latest, as last announced
  UploadCursor upload_ack;            // server's integrated upload cursor, as last reported
  std::uint64_t downloadable_bytes = 0;
  std::uint64_t downloaded_changesets = 0;  // entries integrated, ever
  std::size_t pending_local = 0;            // local changesets not yet integrated by the server
};

// The limit at which next_upload() stops adding changesets (protocol.md 2.3).
inline constexpr std::size_t kUploadBatchBytes = 128 * 1024;

// Milliseconds since 2015-01-01T00:00:00Z (protocol.md 2.1), now.
std::uint64_t origin_timestamp_now();

class LocalRealm {
 public:
  explicit LocalRealm(std::string server_path);

  const std::string& server_path() const { return path_; }
  bool has_ident() const { return progress_.client_file_ident != 0; }
  const RealmProgress& progress() const { return progress_; }

  // The server's IDENT: identifier and salt (a commit of its own).
  Result<void> set_ident(std::uint64_t ident, std::int64_t salt);

  // Later writes take their origin timestamps (ms since 2015-01-01) from
  // `clock` instead of the system clock: for deterministic simulations.
  void set_clock(std::function<std::uint64_t()> clock) { clock_ = std::move(clock); }

  // Applies and queues a local changeset; the new client version.
  Result<std::uint64_t> write(const changeset::Changeset& changeset);
  Result<std::uint64_t> write_bytes(std::string_view bytes);

  // Messages for a session with ident `session`.
  protocol::Bind bind_message(std::uint64_t session) const;
  protocol::ClientIdent ident_message(std::uint64_t session) const;

  // A new session begins (BIND/IDENT sent): uploads start again after the
  // upload cursor the server last reported.
  void start_session();
  // The next UPLOAD of this session, or nullopt when there is nothing to say.
  std::optional<protocol::Upload> next_upload(std::uint64_t session);

  // See the header comment; nullopt on success.
  std::optional<SyncError> integrate(const protocol::Download& download);

  // The newest local client version that carries a non-empty changeset
  // (0: none). Upload is complete for it once upload_ack reaches it.
  std::uint64_t newest_local_change() const;
  bool uploaded_through(std::uint64_t client_version) const {
    return progress_.upload_ack.client_version >= client_version;
  }

  const changeset::State& state() const { return state_; }
  Result<changeset::Json> state_json() const;

 private:
  struct Entry {
    std::uint64_t client_version = 0;
    std::uint64_t base_server_version = 0;
    std::uint64_t origin_timestamp = 0;
    std::string bytes;                    // as written: what is uploaded
    changeset::Changeset reciprocal;      // as transformed by later merges
    changeset::Layout layout = changeset::Layout::hoisted;  // of `bytes`
  };
  std::optional<SyncError> check_download(const protocol::Download& d) const;

  std::string path_;
  JournalState state_;
  RealmProgress progress_;
  std::deque<Entry> history_;  // local changesets, oldest first, not yet integrated
  // This session's upload position: everything up to scan_ was sent.
  std::uint64_t scan_ = 0;
  std::uint64_t reported_server_version_ = 0;
  bool reported_any_ = false;
  std::uint64_t last_timestamp_ = 0;
  std::function<std::uint64_t()> clock_;  // empty: origin_timestamp_now
};

}  // namespace ros::sync::client
