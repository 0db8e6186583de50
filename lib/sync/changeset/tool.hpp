// The work behind ros-changeset's commands, so the program only parses its
// arguments: decode, encode, apply and check.
//
// Promises: file errors and bad input come back as an Error whose message
// names the file ("'x.bin': byte 1: Unexpected intern index: 1"). Output is
// returned (decode/encode/apply) or written to the given stream (check).
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "sync/changeset/instruction.hpp"

namespace ros::sync::changeset {

// The file's changeset as JSON text (vectors' form), newline-terminated.
Result<std::string> decode_file(const std::filesystem::path& bin);

// The binary changeset for a JSON file, in the given layout.
Result<std::string> encode_file(const std::filesystem::path& json, Layout layout);

// Applies the changesets in order to an empty state; the state as JSON text.
Result<std::string> apply_files(const std::vector<std::filesystem::path>& bins);

struct CheckSummary {
  int passed = 0;
  int failed = 0;
};

// Checks every X.bin in `dir` that has a sibling X.json, in name order:
// decode equals X.json (as JSON values); encoding the decoded changeset in
// the layout X.bin used gives X.bin's bytes; X.json reads back to the same
// JSON value; applying them in order succeeds. Then the state
// must equal `final_state` if given, else dir/final-state.json if present
// (one more item). Writes a line per failure and "N passed, M failed".
// Fails (Error) only when the folder cannot be read.
Result<CheckSummary> check_dir(const std::filesystem::path& dir,
                               const std::optional<std::filesystem::path>& final_state,
                               std::ostream& out);

}  // namespace ros::sync::changeset
