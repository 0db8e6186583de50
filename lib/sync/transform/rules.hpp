// The pair rules of merge.md 4.3, one function per rule letter. `left` is the
// instruction with the larger type code (for equal codes, the major side);
// every rule is written so that its outcome does not depend on which side
// is major.
//
// Promises: a rule only changes, discards or prepends to the two
// instructions it is given; a fatal conflict (merge.md section 5) is an
// Error naming the pair.
#pragma once

#include "sync/transform/item.hpp"

namespace ros::sync::transform::rules {

// Schema (rules_schema.cpp).
Result<void> add_table_add_table(Item& left, Item& right);        // a
Result<void> erase_table_add_table(Item& left, Item& right);      // b
Result<void> erase_table_erase_table(Item& left, Item& right);    // c
Result<void> add_column_erase_table(Item& left, Item& right);     // h
Result<void> add_column_add_column(Item& left, Item& right);      // i
Result<void> erase_column_update(Item& left, Item& right);        // j
Result<void> erase_column_add_column(Item& left, Item& right);    // k
Result<void> erase_column_erase_column(Item& left, Item& right);  // l

// Objects and fields (rules_object.cpp).
Result<void> erase_object_create_object(Item& left, Item& right);  // d
Result<void> erase_object_erase_object(Item& left, Item& right);   // e
Result<void> update_update(Item& left, Item& right);               // f
Result<void> add_integer_update(Item& left, Item& right);          // g

// Lists (rules_list.cpp).
Result<void> array_insert_update(Item& left, Item& right);        // m
Result<void> array_insert_array_insert(Item& left, Item& right);  // n
Result<void> array_move_update(Item& left, Item& right);          // o
Result<void> array_move_array_insert(Item& left, Item& right);    // p
Result<void> array_move_array_move(Item& left, Item& right);      // q
Result<void> array_erase_update(Item& left, Item& right);         // r
Result<void> array_erase_array_insert(Item& left, Item& right);   // s
Result<void> array_erase_array_move(Item& left, Item& right);     // t
Result<void> array_erase_array_erase(Item& left, Item& right);    // u

// Clear, sets and dictionaries (rules_collection.cpp).
Result<void> clear_update(Item& left, Item& right);           // v
Result<void> clear_add_integer(Item& left, Item& right);      // w
Result<void> clear_clear(Item& left, Item& right);            // x
Result<void> set_operation_clear(Item& left, Item& right);    // y
Result<void> set_insert_set_insert(Item& left, Item& right);  // z
Result<void> set_erase_set_insert(Item& left, Item& right);   // z2
Result<void> set_erase_set_erase(Item& left, Item& right);    // z3

}  // namespace ros::sync::transform::rules
