// Replays recorded merge scenarios (testdata/realm-sync/merge/sNNN, laid out
// as that folder's README says) through RealmStore's integration path, with
// no network: the recorded client file identifiers are allocated
// (allocate_client_file_at), the recorded uploads are integrated one UPLOAD
// message at a time in the recorded order into a store file in a fresh
// temporary folder, and the result is compared with the reference server's:
// every history entry (server version, origin file, client version, origin
// timestamp, changeset bytes) and then the final state (state_json against
// final-state.json).
//
// Promises: a scenario passes only if everything is equal. The first
// difference is described as "entry V: <field>: got X, recorded Y", for a
// changeset "entry V: changeset: instruction I (Type): <key>: got X, recorded
// Y" (from the decoded forms), or "final state: at <JSON pointer>: ...".
// An unreadable scenario or a refused upload is a failure, not an Error.
// Backs `ros-changeset replay`; the temporary folder is removed afterwards.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace ros::sync::store {

// The first difference between the replay of `dir` and its recording, or
// nullopt when there is none. Error: the temporary store cannot be made.
Result<std::optional<std::string>> replay_scenario(const std::filesystem::path& dir);

struct ReplaySummary {
  int passed = 0;
  int failed = 0;
};

// Replays each folder in order, writing "PASS <name>" or "FAIL <name>:
// <difference>" per folder and then "N passed, M failed".
ReplaySummary replay_scenarios(const std::vector<std::filesystem::path>& dirs, std::ostream& out);

}  // namespace ros::sync::store
