// Pair rules for Clear and for set operations (merge.md 4.3 v-z3).
// Dictionary entries are plain Updates (rule f); list and dictionary
// contents under a Clear are handled by the nested Clear rule.
#include "sync/transform/predicates.hpp"
#include "sync/transform/rules.hpp"

namespace ros::sync::transform::rules {

using namespace changeset;

Result<void> clear_update(Item& left, Item& right) {
  if (!same_path(left, right)) return {};
  const auto collection = left.as<Clear>().collection_type;
  const auto payload = right.as<Update>().value.type;
  // Making the slot a collection of the cleared kind commutes with the clear.
  if ((collection == CollectionType::List && payload == Type::List) ||
      (collection == CollectionType::Dictionary && payload == Type::Dictionary))
    return {};
  discard_older(left, right);
  return {};
}

Result<void> clear_add_integer(Item& left, Item& right) {
  if (same_path(left, right)) discard(right);
  return {};
}

Result<void> clear_clear(Item& left, Item& right) {
  if (same_path(left, right)) discard_older(left, right);
  return {};
}

Result<void> set_operation_clear(Item& left, Item& right) {
  if (same_path(left, right)) discard(left);
  return {};
}

namespace {

const Payload& value(Item& item) {
  if (auto* insert = std::get_if<SetInsert>(&item.instruction)) return insert->value;
  return std::get<SetErase>(item.instruction).value;
}

}  // namespace

Result<void> set_insert_set_insert(Item& left, Item& right) {
  if (same_path(left, right) && same_payload(left, value(left), right, value(right)))
    discard_older(left, right);
  return {};
}

Result<void> set_erase_set_insert(Item& left, Item& right) {
  if (same_path(left, right) && same_payload(left, value(left), right, value(right)))
    discard_older(left, right);
  return {};
}

Result<void> set_erase_set_erase(Item& left, Item& right) {
  if (same_path(left, right) && raw_payload_equal(left, value(left), right, value(right)))
    discard_older(left, right);
  return {};
}

}  // namespace ros::sync::transform::rules
