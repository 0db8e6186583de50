// The DOWNLOAD builder of ros-syncd (protocol.md 3.9), as a pure function of
// a RealmStore and a session's download position, so that ServerRealm and
// deterministic simulations of many clients (tests/sync/simulation) send
// exactly the same messages.
//
// What it promises, for a session of client file F at download position
// (s, c) and the newest version `latest`:
// - the entries after s, oldest first, as many as fit in max_bytes of
//   changesets (at least one entry, so one larger than the limit goes alone);
// - F's own entries are not sent but move c to their client version: every
//   entry sent carries, as last_integrated_client_version, the newest client
//   version of F the server had integrated before it (merge.md 3.5); empty
//   entries (merged to nothing) are not sent either;
// - the new position (download_server_version, download_client_version) is
//   the last entry looked at (latest when none is left), F's upload cursor
//   comes from `record`, and downloadable_bytes counts what is still left
//   after a split.
// Reads only; errors are the store's.
#pragma once

#include <cstdint>

#include "common/result.hpp"
#include "sync/protocol/messages.hpp"
#include "sync/store/realm_store.hpp"

namespace ros::sync::server {

struct DownloadRequest {
  std::uint64_t session_ident = 0;
  std::uint64_t download_server_version = 0;  // the session's position (3.6)
  std::uint64_t download_client_version = 0;
  store::ServerVersion latest;   // the newest version, read once per pump
  store::ClientFile record;      // the receiver's record: identity and upload cursor
  std::uint64_t max_bytes = 16 * 1024 * 1024;
};

// The next DOWNLOAD for the request; when the position is already `latest`
// it is an empty DOWNLOAD at that position.
Result<protocol::Download> build_download(const store::RealmStore& store,
                                          const DownloadRequest& request);

}  // namespace ros::sync::server
