// Pair rules between schema instructions (merge.md 4.3 a, b, c, h-l).
#include "sync/transform/predicates.hpp"
#include "sync/transform/rules.hpp"

namespace ros::sync::transform::rules {

using namespace changeset;

namespace {

// The index of `text` in the changeset's table, appended when missing.
InternRef intern(Changeset& cs, std::string_view text) {
  for (std::size_t i = 0; i < cs.strings.size(); ++i)
    if (cs.strings[i] == text) return InternRef{static_cast<uint32_t>(i)};
  cs.strings.emplace_back(text);
  return InternRef{static_cast<uint32_t>(cs.strings.size() - 1)};
}

}  // namespace

Result<void> add_table_add_table(Item& left, Item& right) {
  if (!same_table(left, right)) return {};
  const auto& l = left.as<AddTable>();
  const auto& r = right.as<AddTable>();
  const bool l_embedded = l.table_type == TableType::Embedded;
  const bool r_embedded = r.table_type == TableType::Embedded;
  std::string why;
  if (l_embedded != r_embedded) {
    why = "embedded and top-level";
  } else if (!l_embedded) {
    if (!same_string(left, l.pk_field, right, r.pk_field)) {
      why = "different primary key names";
    } else if (l.pk_type != r.pk_type) {
      why = "different primary key types";
    } else if (l.pk_nullable != r.pk_nullable) {
      why = "different primary key nullability";
    } else if (l.table_type != r.table_type) {
      why = "asymmetric and not asymmetric";
    }
  }
  if (!why.empty())
    return bad_merge(left, right,
                     "schema mismatch on class '" + std::string(str(left, l.table)) + "': " + why);
  discard(left);
  discard(right);
  return {};
}

Result<void> erase_table_add_table(Item& left, Item& right) {
  if (same_table(left, right)) discard(right);
  return {};
}

Result<void> erase_table_erase_table(Item& left, Item& right) {
  if (!same_table(left, right)) return {};
  discard(left);
  discard(right);
  return {};
}

Result<void> add_column_erase_table(Item& left, Item& right) {
  const auto& column = left.as<AddColumn>();
  const auto& erased = right.as<EraseTable>();
  if (column.type != Type::Link || !column.link_target) return {};
  if (!same_string(left, *column.link_target, right, erased.table)) return {};
  // The erasing side must also drop the link column that points into the
  // erased table, before erasing it.
  EraseColumn erase_column;
  erase_column.table = intern(right.changeset, str(left, column.table));
  erase_column.field = intern(right.changeset, str(left, column.field));
  right.prepended.emplace_back(erase_column);
  discard(left);
  return {};
}

Result<void> add_column_add_column(Item& left, Item& right) {
  if (!same_column(left, right)) return {};
  const auto& l = left.as<AddColumn>();
  const auto& r = right.as<AddColumn>();
  std::string why;
  if (l.type != r.type) {
    why = "different types";
  } else if (l.nullable != r.nullable) {
    why = "different nullability";
  } else if (l.collection_type != r.collection_type) {
    why = "different collection types";
  } else if (l.type == Type::Link && !(l.link_target && r.link_target &&
                                       same_string(left, *l.link_target, right, *r.link_target))) {
    why = "different link targets";
  }
  if (!why.empty())
    return bad_merge(left, right,
                     "schema mismatch on property '" + std::string(str(left, l.table)) + "." +
                         std::string(str(left, l.field)) + "': " + why);
  discard(left);
  discard(right);
  return {};
}

Result<void> erase_column_update(Item& left, Item& right) {
  if (same_column(left, right)) discard(right);
  return {};
}

Result<void> erase_column_add_column(Item& left, Item& right) {
  if (same_column(left, right)) discard(right);
  return {};
}

Result<void> erase_column_erase_column(Item& left, Item& right) {
  if (!same_column(left, right)) return {};
  discard(left);
  discard(right);
  return {};
}

}  // namespace ros::sync::transform::rules
