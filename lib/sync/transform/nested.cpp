#include "sync/transform/nested.hpp"

#include "sync/transform/predicates.hpp"

namespace ros::sync::transform {

using namespace changeset;

namespace {

// The inner element that a list instruction's index corresponds to, or an
// error when it is a key.
Result<uint32_t*> corresponding(Item& outer, Item& inner) {
  if (!last_index(outer)) return bad_input(outer, inner, "list instruction without an index");
  uint32_t* k = corresponding_index(outer, inner);
  if (!k) return bad_merge(outer, inner, "inconsistent paths");
  return k;
}

Result<void> nested_update(Item& outer, Item& inner) {
  const auto& update = outer.as<Update>();
  if (update.value.type == Type::ObjectValue) return {};
  const auto next = prefix(outer, inner);
  if (!next) return {};
  const auto& e = path_of(inner.instruction)->path[*next];
  const bool index = std::holds_alternative<uint32_t>(e);
  // A new collection in a Mixed slot keeps the concurrent edits inside a
  // collection of the same shape; anything else written over the slot wipes
  // the subtree, whatever the timestamps.
  if ((update.value.type == Type::List && index) ||
      (update.value.type == Type::Dictionary && !index))
    return {};
  discard(inner);
  return {};
}

Result<void> nested_array_insert(Item& outer, Item& inner) {
  if (!container_prefix(outer, inner)) return {};
  auto k = corresponding(outer, inner);
  if (!k) return k.error();
  if (**k >= *last_index(outer)) ++**k;
  return {};
}

Result<void> nested_array_erase(Item& outer, Item& inner) {
  if (prefix(outer, inner)) {
    discard(inner);
    return {};
  }
  if (!container_prefix(outer, inner)) return {};
  auto k = corresponding(outer, inner);
  if (!k) return k.error();
  if (**k > *last_index(outer)) --**k;
  return {};
}

// (quirk) realm-core adjusts the outer move's from-index here, not the inner
// element, and keeps the move even when from becomes equal to to.
Result<void> nested_array_move(Item& outer, Item& inner) {
  if (!container_prefix(outer, inner)) return {};
  auto k = corresponding(outer, inner);
  if (!k) return k.error();
  uint32_t& from = *last_index(outer);
  const uint32_t to = outer.as<ArrayMove>().ndx_2;
  if (from == **k) {
    from = to;
  } else {
    if (from > **k) --from;
    if (from >= to) ++from;
  }
  return {};
}

}  // namespace

Result<void> apply_nested(Item& outer, Item& inner) {
  switch (outer.code()) {
    case 1:  // EraseTable
      if (same_table(outer, inner)) discard(inner);
      return {};
    case 3:   // EraseObject
    case 5:   // AddInteger
    case 11:  // Clear
      if (prefix(outer, inner)) discard(inner);
      return {};
    case 4:
      return nested_update(outer, inner);
    case 8:
      return nested_array_insert(outer, inner);
    case 9:
      return nested_array_move(outer, inner);
    case 10:
      return nested_array_erase(outer, inner);
    default:  // AddTable, CreateObject, AddColumn, EraseColumn, SetInsert, SetErase
      return {};
  }
}

bool has_nested_rule(std::size_t outer_code) {
  switch (outer_code) {
    case 1:  // the cases of apply_nested() above
    case 3:
    case 4:
    case 5:
    case 8:
    case 9:
    case 10:
    case 11:
      return true;
    default:
      return false;
  }
}

}  // namespace ros::sync::transform
