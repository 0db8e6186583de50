// RealmStore: one Realm's durable server-side state in one SQLite file
// (<root>/realms/<path>.db, made by storage::Layout::realm_file): the sync
// history with its salts (protocol.md 3.5, 4.2), the client-file records
// (3.4, 4.3) with the identifier counter, and the materialized objects
// (SqliteState). Each Realm is independent: nothing here refers to another
// Realm or to admin.db (design.md, "Beyond one machine").
//
// File: WAL journal, synchronous=FULL. In WAL mode FULL syncs the WAL at
// every commit, so a transaction that COMMIT reported is on disk; NORMAL
// would sync only at checkpoints and could lose the last commits on power
// loss, which would break "acknowledged means durable". The cost is one fsync
// per commit, and integrate_group() puts many uploads in one commit (group
// commit), so the cost is shared. Schema version in PRAGMA user_version with
// forward migrations, PRAGMA application_id marks a ros Realm file; every
// other statement is prepared with bound parameters.
//
// History entries (table history, one row per server version v >= 1):
// salt, origin file (0 = the server itself), the origin's client version, the
// server version the changeset was based on when uploaded, origin timestamp,
// the changeset *as integrated* re-encoded in the hoisted layout (every
// InternString first, as realm-core's server stores and sends it, byte for
// byte, see merge/README), and the cumulative size of all changesets up to v.
// Version 0 has salt 0. Trimming (raising the base version) is not done yet;
// the base version and its salt are kept in table meta for when it is.
//
// Merging (merge.md section 3): an uploaded changeset is merged against the
// history entries after its base that did not come from the uploading client
// file X and are not empty, each in X's *reciprocal* form when one is stored
// (table reciprocal_history: per client file and server version, the entry as
// transformed by X's earlier merges, possibly empty; no row = same as the
// main entry). Consecutive changesets of an upload with the same base are
// merged in one go (one run), later runs reuse the already transformed
// reciprocal forms; the transformed upload is applied and appended (hoisted;
// a changeset merged to nothing is an empty entry that still takes a version
// and that the DOWNLOAD builder skips); every reciprocal form the merge
// changed is stored. X's reciprocal history starts after X's
// upload_server_version (realm-core's rh_base_version) and is trimmed when
// that rises. Schema version 2 added reciprocal_history.
//
// Salt policy: every new server version gets a fresh random non-zero 63-bit
// salt (getrandom), as are client-file salts, so versions created after a
// restore can never carry the salts of lost versions (3.5).
//
// Errors: refusals the protocol names carry the error number at the end of
// the message, "(sync error 208)"; sync_error() reads it back. Storage
// failures are unavailable (busy, I/O, disk full) or internal.
//
// Thread safety: none. One RealmStore per file per process, used only on
// the Realm's strand; calls run on that strand one at a time and may block
// on disk (the strand runs off the network threads, design.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <sqlite3.h>

#include "common/result.hpp"
#include "storage/statement_cache.hpp"
#include "sync/changeset/state.hpp"
#include "sync/transform/interaction.hpp"

namespace ros::sync::store {

// Session-level protocol errors the store decides (protocol.md 4.5).
enum class SyncError : int {
  bad_client_file_ident = 208,
  bad_server_version = 209,
  bad_client_version = 210,
  diverging_histories = 211,
  bad_changeset = 212,
  bad_origin_file_ident = 216,
  client_file_expired = 222,
};

// The protocol error an Error from this module stands for, if any.
std::optional<SyncError> sync_error(const Error& error);

// The schema version this build writes; a file with a higher one is refused.
inline constexpr int64_t kSchemaVersion = 2;
// PRAGMA application_id of a ros Realm file ("rosR").
inline constexpr int32_t kApplicationId = 0x726f7352;
// The server's own client file identifier (3.4); clients get 2, 3, ...
inline constexpr uint64_t kServerFileIdent = 1;

struct ServerVersion {
  uint64_t version = 0;
  uint64_t salt = 0;
  bool operator==(const ServerVersion&) const = default;
};

struct HistoryEntry {
  uint64_t version = 0;
  uint64_t salt = 0;
  uint64_t origin_file_ident = 0;  // 0: made by the server itself
  uint64_t client_version = 0;     // the origin's version that produced it
  uint64_t base_server_version = 0;  // last integrated server version at upload
  uint64_t origin_timestamp = 0;   // ms since 2015-01-01
  std::string changeset;           // as integrated, hoisted layout
  uint64_t cumulative_size = 0;    // sum of changeset sizes of versions 1..version
};

enum class ClientType : int { regular = 2, subserver = 3 };

struct ClientFile {
  uint64_t ident = 0;
  uint64_t salt = 0;
  ClientType type = ClientType::regular;
  // The integrated upload cursor (3.6): progress of the last integrated
  // UPLOAD that raised the client version (merge.md 3.3).
  // upload_server_version is also the base of the reciprocal history.
  uint64_t upload_client_version = 0;
  uint64_t upload_server_version = 0;
  uint64_t locked_server_version = 0;
  bool expired = false;
};

struct UploadEntry {
  uint64_t client_version = 0;
  uint64_t last_integrated_server_version = 0;  // the changeset's base
  uint64_t origin_timestamp = 0;
  uint64_t origin_file_ident = 0;  // must be 0 for a direct client
  std::string changeset;           // as received (either layout)
};

// One UPLOAD's entries (already validated and threshold-filtered by the
// session, protocol.md 3.8) and its progress fields.
struct Upload {
  uint64_t client_file_ident = 0;
  uint64_t progress_client_version = 0;
  uint64_t progress_server_version = 0;
  uint64_t locked_server_version = 0;
  std::vector<UploadEntry> entries;  // may be empty: a progress-only UPLOAD
};

struct Integrated {
  std::vector<uint64_t> versions;  // the server versions created, in order
  ServerVersion latest;            // the newest version after this upload
};

// Bounds on the work one upload may cause (issue 14): the parsed form of a
// changeset takes ~250 bytes per instruction, and the merge compares every
// history instruction after the upload's base with every uploaded one.
struct StoreLimits {
  // Instructions in one changeset, and in all changesets of one upload
  // together. Above: invalid_argument (sync error 212), before the rest of
  // the upload is parsed.
  std::size_t max_upload_instructions = std::numeric_limits<std::size_t>::max();
  // history instructions x upload instructions of one merge run. Above:
  // invalid_argument (sync error 212), before merging.
  std::uint64_t max_merge_work = std::numeric_limits<std::uint64_t>::max();
};

class RealmStore {
 public:
  // Opens or creates the file (and its parent directories), migrating an
  // older schema forward. Refuses, with a message naming the file: a file
  // that is not a SQLite database ("file is not a database"), a SQLite file
  // of another program (application_id), a newer schema version.
  static Result<std::unique_ptr<RealmStore>> open(const std::filesystem::path& file);

  ~RealmStore();
  RealmStore(const RealmStore&) = delete;
  RealmStore& operator=(const RealmStore&) = delete;

  const std::filesystem::path& file() const { return file_; }

  // The bounds integrate_upload() and integrate_group() enforce from now on
  // (none by default).
  void set_limits(const StoreLimits& limits) { limits_ = limits; }

  // --- client files (3.4, 4.3)

  // Allocates the next identifier (2, 3, ...; never reused, not even after
  // the record is gone) with a fresh salt and an upload cursor (0, 0), and
  // commits it durably before returning, so it may be sent in IDENT at once.
  Result<ClientFile> allocate_client_file(ClientType type = ClientType::regular);

  // For replaying recorded sessions (ros-changeset replay) where identifiers
  // must be the recorded ones: allocates exactly `ident`, which must be at
  // least the next identifier (else conflict); the identifiers skipped on the
  // way are never issued, as if allocated and forgotten. Otherwise as
  // allocate_client_file().
  Result<ClientFile> allocate_client_file_at(uint64_t ident,
                                             ClientType type = ClientType::regular);

  // The record of `ident` if it presents `salt`. Errors: 0, the server's own
  // identifier, or one never issued: not_found (sync error 208); a salt that
  // differs: conflict (sync error 211). An expired record is returned (the
  // caller checks `expired`, IDENT rule 5).
  Result<ClientFile> client_file(uint64_t ident, uint64_t salt) const;

  // The checks of a client's IDENT that depend on this file (protocol.md
  // 3.7, rules 1 to 10, in the reference server's order; rule 11 is the
  // connection's). On success the client file's record, whose upload cursor
  // and locked version seed the session. Errors, each "(sync error N)":
  // 1 latest_server_version newer than the newest version: 209; 2 identifier
  // never issued: 208; 3 salt differs: 211; 4 scan_server_version below the
  // record's upload_server_version: 209; 5 record expired: 222; 6
  // scan_server_version newer than the newest: 209; 7 scan_client_version
  // above the record's upload_client_version: 210; 8 latest_server_version
  // below scan_server_version: 209; 9 salt of latest_server_version differs:
  // 211; 10 client type differs: 208. Rule 7 sees integrated uploads only: a
  // caller with accepted but not yet integrated uploads of this file must
  // integrate them first (4.8).
  struct Ident {
    uint64_t client_file_ident = 0;
    uint64_t client_file_salt = 0;
    uint64_t scan_server_version = 0;
    uint64_t scan_client_version = 0;
    uint64_t latest_server_version = 0;
    uint64_t latest_server_version_salt = 0;
    ClientType type = ClientType::regular;
  };
  Result<ClientFile> check_ident(const Ident& ident) const;

  // --- server versions (3.5)

  // The newest committed version and its salt ({0, 0} for an empty history).
  Result<ServerVersion> latest() const;

  // The salt of version v. Errors: v newer than latest, or older than the
  // history base: not_found (sync error 209).
  Result<uint64_t> server_version_salt(uint64_t version) const;

  // --- history (3.9)

  // The entries after `version`, oldest first: all of them, or as many as
  // fit in `limit_bytes` of changeset bytes, at least one (so an entry larger
  // than the limit is returned alone). Own and empty entries are included;
  // the DOWNLOAD builder skips them (3.9). Empty when `version` is the
  // latest. Errors: `version` newer than latest: not_found (sync error 209).
  Result<std::vector<HistoryEntry>> history_since(uint64_t version, uint64_t limit_bytes) const;

  // --- integration (4.4)

  // Integrates one upload and commits it durably: integrate_group of one.
  Result<Integrated> integrate_upload(const Upload& upload);

  // Group commit. Integrates the uploads in order inside one transaction,
  // each in its own savepoint, then commits once (one WAL fsync).
  //
  // Ordering: the caller acknowledges (sends the DOWNLOADs of 3.9) only
  // after this returns, because only then is the commit durable; an upload
  // whose inner Result failed was rolled back alone and the others stand.
  // When the outer Result fails, nothing of the group was committed and no
  // upload may be acknowledged.
  //
  // Entries whose client version is not above the record's
  // upload_client_version were integrated before and are skipped (no
  // version; protocol.md 3.8's threshold, checked again here).
  //
  // Per upload, refusals (nothing of that upload is kept):
  // * unknown client file: not_found (sync error 208); expired: conflict
  //   (sync error 222);
  // * an entry with origin_file_ident != 0: invalid_argument (sync error 216);
  // * a changeset that does not parse or that the applier refuses:
  //   invalid_argument (sync error 212);
  // * an entry based on a version newer than latest, or older than the
  //   record's upload_server_version (the reciprocal history's base):
  //   invalid_argument (sync error 209);
  // * a merge that fails (merge.md section 5, a fatal conflict such as two
  //   incompatible AddTables): invalid_argument (sync error 212).
  // The entries are merged (see the top of this file), applied to the state
  // in order and appended as the next versions; the reciprocal forms the
  // merge changed are stored. Then, if the progress's client version is
  // above the record's, the record's upload_client_version := it and, if
  // also higher, upload_server_version := the progress's server version
  // (dropping reciprocal forms at or below it); the locked version :=
  // max(old, new). A progress-only upload creates no version.
  // Within a group, an upload is merged against the versions the uploads
  // before it created.
  Result<std::vector<Result<Integrated>>> integrate_group(std::span<const Upload> uploads);

  // The reciprocal form of `version` stored for client file `ident`:
  // nullopt when none is stored (the main entry stands for it); an empty
  // string when the merge reduced it to nothing.
  Result<std::optional<std::string>> reciprocal(uint64_t ident, uint64_t version) const;

  // --- state

  // The materialized objects, for reading (state_json, ros-realm).
  const changeset::State& state() const;

  // test hook: the connection, to corrupt or inspect the file in tests.
  sqlite3* test_db() const { return db_; }

 private:
  RealmStore(std::filesystem::path file, sqlite3* db);
  Result<ClientFile> allocate(uint64_t ident, ClientType type);
  Result<Integrated> integrate_one(const Upload& upload);
  Error in_file(const Error& e) const;

  // Constant after construction.
  const std::filesystem::path file_;
  sqlite3* const db_;  // owned, closed by the destructor
  // The prepared statements of the hot paths (uploads, DOWNLOADs), kept
  // across calls; used from const readers too.
  std::unique_ptr<sql::StatementCache> statements_;
  // What each committed main history entry may interact with, by version,
  // so that an upload's merge leaves out entries it cannot touch without
  // parsing them. Bounded (cleared when full); entries of the running group
  // wait in pending_keys_ until its commit, as a rolled-back version number
  // is used again.
  std::unordered_map<uint64_t, transform::ChangesetKeys> entry_keys_;
  std::vector<std::pair<uint64_t, transform::ChangesetKeys>> pending_keys_;
  std::unique_ptr<changeset::State> state_;
  StoreLimits limits_;
};

}  // namespace ros::sync::store
