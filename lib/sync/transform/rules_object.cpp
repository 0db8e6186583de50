// Pair rules between object and field instructions (merge.md 4.3 d-g).
#include "sync/transform/predicates.hpp"
#include "sync/transform/rules.hpp"

namespace ros::sync::transform::rules {

using namespace changeset;

namespace {

bool is_array_update(const Update& u) { return ends_in_index(u.prefix.path); }

// Array updates never count as defaults.
bool is_default(const Update& u) { return !is_array_update(u) && u.is_default; }

}  // namespace

// An erase beats a concurrent create, whatever the timestamps.
Result<void> erase_object_create_object(Item& left, Item& right) {
  if (same_object(left, right)) discard(right);
  return {};
}

// The newer erase survives, so that an old erase cannot beat a newer
// erase-then-recreate sequence.
Result<void> erase_object_erase_object(Item& left, Item& right) {
  // (Equal discriminants never meet; if they did, realm-core would drop the
  // left one here, unlike the other last-writer-wins rules.)
  if (same_object(left, right)) discard(older(right, left) ? right : left);
  return {};
}

Result<void> update_update(Item& left, Item& right) {
  if (!same_path(left, right)) return {};
  const auto& l = left.as<Update>();
  const auto& r = right.as<Update>();
  if (is_array_update(l) && l.prior_size != r.prior_size)
    return bad_merge(left, right, "prior_size mismatch");
  if (l.value.type != r.value.type) {
    if (l.value.type == Type::ObjectValue) {
      discard(left);
      return {};
    }
    if (r.value.type == Type::ObjectValue) {
      discard(right);
      return {};
    }
  } else if (l.value.type == Type::List || l.value.type == Type::Dictionary) {
    return {};  // creating the same collection twice is idempotent
  }
  const bool l_default = is_default(l);
  const bool r_default = is_default(r);
  if (l_default != r_default) {
    discard(l_default ? left : right);
  } else {
    discard_older(left, right);
  }
  return {};
}

Result<void> add_integer_update(Item& left, Item& right) {
  if (!same_path(left, right)) return {};
  auto& add = left.as<AddInteger>();
  auto& update = right.as<Update>();
  if (older(right, left) || is_default(update)) {
    // The addition happened after the value was set: it applies on top.
    if (update.value.type == Type::Null) return {};
    if (update.value.type != Type::Int) {
      discard(left);
      return {};
    }
    update.value.int_value = static_cast<int64_t>(static_cast<uint64_t>(update.value.int_value) +
                                                  static_cast<uint64_t>(add.value));
    return {};
  }
  discard(left);
  return {};
}

}  // namespace ros::sync::transform::rules
