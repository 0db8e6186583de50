// A deterministic, in-process simulation of one Realm synced by several
// clients: one RealmStore (a temporary file) driven as ros-syncd drives it
// (upload checks and threshold filter, group commit, DOWNLOADs from
// server/download_builder), and N client::LocalRealm, with the messages in
// flight between them queued per direction. A seeded scheduler interleaves
// local writes, uploads, their arrival and integration and the arrival of
// DOWNLOADs, so a seed names one exact history, unlike the timing of a
// network test.
//
// What it checks, as it goes and at the end:
// - no client fails to integrate a DOWNLOAD and the server refuses no upload;
// - a client with no local change left after integrating a DOWNLOAD holds
//   exactly the server's state at that DOWNLOAD's server version (the
//   history replayed up to it);
// - once every message is delivered, every client holds the server's state,
//   and the store's materialized state equals its whole history replayed.
//
// The changes are those of the network convergence test (objects created and
// erased, properties set and incremented, an Int list and an Int set).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ros::sync::simulation {

struct Options {
  int clients = 3;  // 1..8
  int steps = 200;  // scheduler steps after the common start
  int objects = 5;  // the changes touch objects Item 0..objects-1
  // The client uploads at once after each write and each DOWNLOAD, as
  // realm-core's does; otherwise uploads are separate scheduler steps too.
  bool eager_uploads = true;
  // Sometimes a change is made for the state before a DOWNLOAD and written
  // after it (a test that reads and writes under two locks does that).
  bool stale_writes = false;
  // Sometimes a client's connection drops (messages in flight are lost,
  // uploads the server received stay queued) and it binds again.
  bool reconnects = false;
  // DOWNLOADs are split at this many changeset bytes (ServerRealm's
  // max_download_bytes).
  std::uint64_t max_download_bytes = 16 * 1024 * 1024;
  bool trace = false;  // fill Outcome::trace (slower)
};

struct Outcome {
  bool ok = true;
  std::string failure;             // what went wrong first
  std::vector<std::string> trace;  // every step, when Options::trace
};

// Runs one seed on a fresh store file `file` (must not exist).
Outcome run(std::uint64_t seed, const Options& options, const std::filesystem::path& file);

}  // namespace ros::sync::simulation
