// The merge of concurrent changesets (merge.md): realm-core's operational
// transformation, reproduced rule for rule.
//
// merge() transforms a sequence of incoming changesets (the minor side) and a
// sequence of local history changesets (the major side) against each other in
// one pass (merge.md 2.1), rewriting both in place: afterwards the incoming
// ones can be applied on top of the history, and the history ones (their
// reciprocal forms) on top of the incoming ones, with the same result.
//
// Promises: instructions that a rule discards are removed from their
// changeset; the interned-string table of each changeset is kept as it was,
// plus any string a rule had to add (so that comparisons by string index,
// merge.md's quirks, keep seeing the parsed layout). The caller re-encodes
// with changeset::encode(..., Layout::hoisted) to get the bytes realm-core
// stores. A conflict that merge.md section 5 calls fatal is an error
// (invalid_argument, "bad merge: <pair>: <why>"), and so is input that no
// rule can handle (merge.md 4.4; "bad changeset: ..."); both sides are then
// in an unspecified state and must be discarded by the caller.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.hpp"
#include "sync/changeset/instruction.hpp"

namespace ros::sync::transform {

// One changeset taking part in a merge, with the discriminant its
// instructions inherit (merge.md 1.5). origin_file_ident is never 0 here:
// the caller replaces 0 ("made by the merging peer itself") by the peer's
// own file identifier (1 on the server).
struct MergeChangeset {
  changeset::Changeset changeset;
  uint64_t origin_timestamp = 0;
  uint64_t origin_file_ident = 0;
  // The layout of the bytes `changeset` was parsed from (changeset::Parsed
  // says which). Realm compares the values of two SetErase instructions by
  // where they stood in those bytes (merge.md 1.2, quirk z3).
  changeset::Layout layout = changeset::Layout::hoisted;
  // Set by merge(): true when the merge changed, discarded or added an
  // instruction or a string (the server then stores a reciprocal copy);
  // left as it was otherwise.
  bool modified = false;
};

// Transforms `incoming` (minor) against `history` (major), both in place.
Result<void> merge(std::span<MergeChangeset> history, std::span<MergeChangeset> incoming);

}  // namespace ros::sync::transform
