// Pair rules between list instructions in the same list (merge.md 4.3 m-u).
// Indices and prior sizes of one list are rewritten so that each side can
// be applied after the other; their preconditions are checked first and a
// failure is a fatal conflict, as in realm-core.
#include "sync/transform/predicates.hpp"
#include "sync/transform/rules.hpp"

namespace ros::sync::transform::rules {

using namespace changeset;

namespace {

uint32_t& index(Item& item) { return *last_index(item); }

// Prior size of a list instruction or array update (every caller passes one).
uint32_t& size(Item& item) {
  if (auto* u = std::get_if<Update>(&item.instruction)) return u->prior_size;
  if (auto* i = std::get_if<ArrayInsert>(&item.instruction)) return i->prior_size;
  if (auto* m = std::get_if<ArrayMove>(&item.instruction)) return m->prior_size;
  return std::get<ArrayErase>(item.instruction).prior_size;
}

Result<void> same_size(Item& left, Item& right) {
  if (size(left) != size(right)) return bad_merge(left, right, "prior_size mismatch");
  return {};
}

// index < prior_size (or <= for an insert).
Result<void> in_range(Item& left, Item& right, Item& which, uint32_t index, bool insert) {
  const uint32_t n = size(which);
  if (insert ? index > n : index >= n)
    return bad_merge(left, right, "index out of range for prior_size");
  return {};
}

// Both address an element of the same list. The parser guarantees an index
// at the end of every list instruction's path; an Update in a list's place
// that ends in a dictionary key is malformed input (merge.md 4.4).
Result<void> indexed(Item& left, Item& right) {
  if (!last_index(left) || !last_index(right))
    return bad_input(left, right, "container shape clash: list index against dictionary key");
  return {};
}

#define TRY(expr)                         \
  do {                                    \
    if (auto r_ = (expr); !r_) return r_; \
  } while (0)

}  // namespace

Result<void> array_insert_update(Item& left, Item& right) {
  if (!same_container(left, right)) return {};
  TRY(indexed(left, right));
  TRY(same_size(left, right));
  TRY(in_range(left, right, left, index(left), true));
  TRY(in_range(left, right, right, index(right), false));
  ++size(right);
  if (index(right) >= index(left)) ++index(right);
  return {};
}

Result<void> array_insert_array_insert(Item& left, Item& right) {
  if (!same_container(left, right)) return {};
  TRY(indexed(left, right));
  TRY(same_size(left, right));
  ++size(left);
  ++size(right);
  // On a tie the older element ends up first.
  if (index(left) > index(right)) {
    ++index(left);
  } else if (index(right) > index(left)) {
    ++index(right);
  } else {
    ++index(older(left, right) ? right : left);
  }
  return {};
}

Result<void> array_move_update(Item& left, Item& right) {
  if (!same_container(left, right)) return {};
  TRY(indexed(left, right));
  const uint32_t from = index(left);
  const uint32_t to = left.as<ArrayMove>().ndx_2;
  TRY(in_range(left, right, left, from, false));
  TRY(in_range(left, right, right, index(right), false));
  uint32_t& i = index(right);
  if (i == from) {
    i = to;
  } else {
    if (i > from) --i;
    if (i >= to) ++i;
  }
  return {};
}

Result<void> array_move_array_insert(Item& left, Item& right) {
  if (!same_container(left, right)) return {};
  TRY(indexed(left, right));
  ++size(left);
  uint32_t& from = index(left);
  uint32_t& to = left.as<ArrayMove>().ndx_2;
  uint32_t& i = index(right);
  if (i > from) {
    --i;
  } else {
    ++from;
  }
  // (quirk) On a tie the newer element ends up first, unlike rules n and q.
  if (i < to) {
    ++to;
  } else if (i > to) {
    ++i;
  } else if (older(left, right)) {
    ++to;
  } else {
    ++i;
  }
  return {};
}

Result<void> array_move_array_move(Item& left, Item& right) {
  if (!same_container(left, right)) return {};
  TRY(indexed(left, right));
  TRY(same_size(left, right));
  uint32_t& lf = index(left);
  uint32_t& lt = left.as<ArrayMove>().ndx_2;
  uint32_t& rf = index(right);
  uint32_t& rt = right.as<ArrayMove>().ndx_2;
  TRY(in_range(left, right, left, lf, false));
  TRY(in_range(left, right, left, lt, false));
  TRY(in_range(left, right, right, rf, false));
  TRY(in_range(left, right, right, rt, false));
  if (lf == rf) {
    // The same element moved twice: the newer move wins, starting from where
    // the older one put it.
    Item& loser = older(left, right) ? left : right;
    Item& winner = older(left, right) ? right : left;
    const uint32_t loser_to = loser.as<ArrayMove>().ndx_2;
    discard(loser);
    index(winner) = loser_to;
    if (index(winner) == winner.as<ArrayMove>().ndx_2) discard(winner);
    return {};
  }
  if (lf > rf) {
    --lf;
  } else {
    --rf;
  }
  if (lt > rf) {
    --lt;
  } else {
    ++rf;
  }
  if (lf < rt) {
    --rt;
  } else {
    ++lf;
  }
  if (lt < rt) {
    ++rt;
  } else if (lt > rt) {
    ++lt;
  } else {
    ++(older(left, right) ? rt : lt);
  }
  if (lf == lt) discard(left);
  if (rf == rt) discard(right);
  return {};
}

Result<void> array_erase_update(Item& left, Item& right) {
  if (!same_container(left, right)) return {};
  TRY(indexed(left, right));
  TRY(same_size(left, right));
  TRY(in_range(left, right, left, index(left), false));
  TRY(in_range(left, right, right, index(right), false));
  --size(right);
  if (index(right) == index(left)) {
    discard(right);
  } else if (index(right) > index(left)) {
    --index(right);
  }
  return {};
}

Result<void> array_erase_array_insert(Item& left, Item& right) {
  if (!same_container(left, right)) return {};
  TRY(indexed(left, right));
  TRY(same_size(left, right));
  TRY(in_range(left, right, left, index(left), false));
  TRY(in_range(left, right, right, index(right), true));
  ++size(left);
  --size(right);
  if (index(right) <= index(left)) {
    ++index(left);
  } else {
    --index(right);
  }
  return {};
}

Result<void> array_erase_array_move(Item& left, Item& right) {
  if (!same_container(left, right)) return {};
  TRY(indexed(left, right));
  TRY(same_size(left, right));
  TRY(in_range(left, right, left, index(left), false));
  TRY(in_range(left, right, right, index(right), false));
  --size(right);
  uint32_t& e = index(left);
  uint32_t& from = index(right);
  uint32_t& to = right.as<ArrayMove>().ndx_2;
  if (e == from) {
    // The moved element is gone: erase it where the move put it.
    e = to;
    discard(right);
    return {};
  }
  if (e > from) {
    --e;
  } else {
    --from;
  }
  if (e >= to) {
    ++e;
  } else {
    --to;
  }
  if (from == to) discard(right);
  return {};
}

Result<void> array_erase_array_erase(Item& left, Item& right) {
  if (!same_container(left, right)) return {};
  TRY(indexed(left, right));
  TRY(same_size(left, right));
  TRY(in_range(left, right, left, index(left), false));
  TRY(in_range(left, right, right, index(right), false));
  --size(left);
  --size(right);
  if (index(left) == index(right)) {
    discard(left);
    discard(right);
  } else if (index(left) > index(right)) {
    --index(left);
  } else {
    --index(right);
  }
  return {};
}

}  // namespace ros::sync::transform::rules
