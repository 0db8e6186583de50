// The rule table of merge.md 4.1: which pair rule applies to two
// instructions, by their type codes.
//
// Promises: assigns left/right as merge.md 1.4 says (larger code left; for
// equal codes the major side left) and runs the rule, if the pair has one.
#pragma once

#include "sync/transform/item.hpp"

namespace ros::sync::transform {

Result<void> apply_pair_rule(Item& major, Item& minor);

// One pair of the merge loop (merge.md 2.2): the nested rule of the
// instruction with the shorter path, then the pair rule if both survived.
Result<void> merge_pair(Item& major, Item& minor);

// True when two instructions with these type codes have a pair rule (in
// either order); apply_pair_rule() does nothing to any other pair.
bool has_pair_rule(std::size_t a, std::size_t b);

}  // namespace ros::sync::transform
