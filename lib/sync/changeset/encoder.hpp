// The changeset encoder: a Changeset to the bytes realm-core writes, in either
// layout (changeset.md sections 4 and 15.2).
//
// Promises:
// * hoisted: InternString 0, 1, ... then every instruction, shortest integer
//   forms; zero bytes when there are no instructions. This is byte for byte
//   what realm-core's encode_changeset() writes.
// * streaming: before each instruction, the strings it needs that are not yet
//   declared, as a realm-core client records them. The client interns a
//   contiguous run of the table per instruction; the encoder ends each run at
//   the highest index the instruction interns, counting the empty link
//   target a non-link AddColumn interns (quirk (a)). Strings that nothing
//   references (quirk (b): an embedded object's class name) ride with the
//   next instruction that declares something, or, when none does, with the
//   next instruction whose path contains a string; any left at the end are
//   declared after the last instruction. A client file fed through the
//   parser comes back byte for byte as long as this holds.
// Fails (invalid_argument) only for a Changeset that cannot be written: an
// InternRef outside the table, or a GlobalKey payload.
#pragma once

#include <string>

#include "common/result.hpp"
#include "sync/changeset/instruction.hpp"

namespace ros::sync::changeset {

Result<std::string> encode(const Changeset& changeset, Layout layout);

}  // namespace ros::sync::changeset
