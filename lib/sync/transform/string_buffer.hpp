// Where realm-core's parser puts each String and Binary payload of a
// changeset in its string buffer: the buffer receives, in stream order,
// every interned string as it is declared and every String/Binary payload
// as it is read. The SetErase x SetErase rule compares payloads by their
// (offset, length) there (merge.md 1.2, quirk z3), so the layout the bytes
// had matters.
//
// Promises: for Layout::hoisted the offsets are exact. The model does not
// keep where a streaming changeset declared its strings, so for
// Layout::streaming the declarations are placed by the client's rule, the
// same one changeset::encode(..., Layout::streaming) follows (its header
// describes it); that reproduces every recorded client changeset.
#pragma once

#include <cstdint>
#include <vector>

#include "sync/changeset/instruction.hpp"

namespace ros::sync::transform {

// One offset per instruction: that of its String/Binary payload, else 0.
std::vector<uint64_t> payload_offsets(const changeset::Changeset& cs, changeset::Layout layout);

}  // namespace ros::sync::transform
