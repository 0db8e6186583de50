// The runner of realm-core's recorded transform vectors
// (testdata/realm-sync/transform, its README): `ros-changeset transform DIR`.
//
// Promises: every case folder under DIR/cases is merged in the server role
// (A = history, major; B = incoming, minor) with the discriminants of its
// case.json, and its outputs are compared byte for byte with the recorded
// ones: B' with b-transformed.bin; A' with a-transformed.bin when the case
// says A was modified, else A' must equal A (a-transformed.bin is then a
// copy of a.bin, in the client's streaming layout). A case with a
// transformError must fail to merge. One line per failing case naming the
// case, its instruction pair and the first difference, then
// "N passed, M failed". Fails (Error) only when DIR cannot be read.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "common/result.hpp"
#include "sync/changeset/value_json.hpp"
#include "sync/transform/merge.hpp"

namespace ros::sync::transform {

// One recorded case, parsed.
struct VectorCase {
  std::string id;
  changeset::Json meta;  // case.json
  changeset::Changeset setup;
  MergeChangeset a;  // the server history entry
  MergeChangeset b;  // the client's upload
  std::optional<std::string> transform_error;
  bool a_modified = false;
  std::string a_bytes;                       // a.bin
  std::optional<std::string> a_transformed;  // a-transformed.bin, absent on error
  std::optional<std::string> b_transformed;  // b-transformed.bin, absent on error
};

Result<VectorCase> load_case(const std::filesystem::path& case_dir);

// Merges A (major) and B (minor) in place and compares them with the
// recording: nullopt when they match, else the first difference.
std::optional<std::string> check_case(VectorCase& c);

struct VectorSummary {
  int passed = 0;
  int failed = 0;
};

Result<VectorSummary> run_vectors(const std::filesystem::path& dir, std::ostream& out);

}  // namespace ros::sync::transform
