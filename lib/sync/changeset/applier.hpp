// The applier: applies a changeset to a State with the semantics of
// changeset.md section 12 (realm-core 14.x's InstructionApplier).
//
// Promises: apply() runs inside one State transaction. Either every
// instruction takes effect and the transaction is committed, or the first
// instruction that realm-core would refuse (its BadChangesetError, and the
// core-layer exceptions and assertions the spec marks CE) stops it, the
// transaction is rolled back and the Error (code invalid_argument) reads
// "bad changeset: instruction N (Type): <reason>". Instructions realm-core
// ignores (CreateObject of an existing object, EraseObject of a missing one,
// identical AddTable/AddColumn, ...) are not errors. A storage failure is
// returned as the State reported it, after a rollback.
//
// ApplyOptions::local_write adds one check realm-core never needs because
// its own writes cannot fail it: an Update of a list element must carry the
// list's size as prior_size, as ArrayInsert/ArrayMove/ArrayErase always must
// (section 12.7 leaves it unchecked). For changesets handed to a client as
// local writes, which may have been made for an older state.
#pragma once

#include "common/result.hpp"
#include "sync/changeset/instruction.hpp"
#include "sync/changeset/state.hpp"

namespace ros::sync::changeset {

struct ApplyOptions {
  bool local_write = false;
};

Result<void> apply(State& state, const Changeset& changeset);
Result<void> apply(State& state, const Changeset& changeset, const ApplyOptions& options);

}  // namespace ros::sync::changeset
