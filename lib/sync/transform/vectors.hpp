// The runner of realm-core's recorded transform vectors
// (testdata/realm-sync/transform, its README): `ros-changeset transform DIR`.
//
// Promises: every case folder under DIR/cases is merged in the server role
// (A = history, major; B = incoming, minor) with the discriminants of its
// case.json, and its outputs are compared byte for byte with the recorded
// ones; a case with a transformError must fail to merge. One line per
// failing case, then "N passed, M failed". Fails (Error) only when DIR or
// its schema cannot be read.
#pragma once

#include <filesystem>
#include <ostream>

#include "common/result.hpp"

namespace ros::sync::transform {

struct VectorSummary {
  int passed = 0;
  int failed = 0;
};

Result<VectorSummary> run_vectors(const std::filesystem::path& dir, std::ostream& out);

}  // namespace ros::sync::transform
