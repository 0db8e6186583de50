// The rule table of merge.md 4.1: which pair rule applies to two
// instructions, by their type codes.
//
// Promises: assigns left/right as merge.md 1.4 says (larger code left; for
// equal codes the major side left) and runs the rule, if the pair has one.
#pragma once

#include "sync/transform/item.hpp"

namespace ros::sync::transform {

Result<void> apply_pair_rule(Item& major, Item& minor);

}  // namespace ros::sync::transform
