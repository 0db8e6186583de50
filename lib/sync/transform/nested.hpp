// The nested rules of merge.md 4.2: what an instruction with the shorter
// path (outer) does to an instruction beneath it on the other side (inner).
//
// Promises: only inner is changed or discarded, except for the ArrayMove
// quirk, which changes outer's from-index instead. Prior sizes are never
// touched. Fails (bad merge) for "inconsistent paths": a list instruction
// whose corresponding inner element is a string.
#pragma once

#include "sync/transform/item.hpp"

namespace ros::sync::transform {

Result<void> apply_nested(Item& outer, Item& inner);

// True when an outer instruction of this type code has a nested rule;
// apply_nested() does nothing for the others.
bool has_nested_rule(std::size_t outer_code);

}  // namespace ros::sync::transform
