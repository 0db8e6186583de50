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
//   references (quirk (b): the class name of an embedded object, interned
//   just before an instruction that reaches into it) go with the first
//   following instruction that declares something or whose path holds a
//   string (every instruction that reaches into an embedded object does);
//   any left at the end are declared after the last instruction. The rule
//   reproduces every recorded client changeset; it can misplace a quirk (b)
//   string that a later instruction of the same changeset also references.
// Fails (invalid_argument) only for a Changeset that cannot be written: an
// InternRef outside the table, or a GlobalKey payload.
#pragma once

#include <string>

#include "common/result.hpp"
#include "sync/changeset/instruction.hpp"

namespace ros::sync::changeset {

Result<std::string> encode(const Changeset& changeset, Layout layout);

}  // namespace ros::sync::changeset
