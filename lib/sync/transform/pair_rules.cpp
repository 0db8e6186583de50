#include "sync/transform/pair_rules.hpp"

#include <array>

#include "sync/transform/nested.hpp"
#include "sync/transform/predicates.hpp"
#include "sync/transform/rules.hpp"

namespace ros::sync::transform {

namespace {

using Rule = Result<void> (*)(Item&, Item&);
constexpr std::size_t N = changeset::kInstructionCount;

// kRules[left][right], left >= right; nullptr = the pair has no rule.
constexpr std::array<std::array<Rule, N>, N> make_table() {
  using namespace rules;
  std::array<std::array<Rule, N>, N> t{};
  enum : std::size_t {
    AddTable,
    EraseTable,
    CreateObject,
    EraseObject,
    Update,
    AddInteger,
    AddColumn,
    EraseColumn,
    ArrayInsert,
    ArrayMove,
    ArrayErase,
    Clear,
    SetInsert,
    SetErase
  };
  t[AddTable][AddTable] = add_table_add_table;
  t[EraseTable][AddTable] = erase_table_add_table;
  t[EraseTable][EraseTable] = erase_table_erase_table;
  t[EraseObject][CreateObject] = erase_object_create_object;
  t[EraseObject][EraseObject] = erase_object_erase_object;
  t[Update][Update] = update_update;
  t[AddInteger][Update] = add_integer_update;
  t[AddColumn][EraseTable] = add_column_erase_table;
  t[AddColumn][AddColumn] = add_column_add_column;
  t[EraseColumn][Update] = erase_column_update;
  t[EraseColumn][AddColumn] = erase_column_add_column;
  t[EraseColumn][EraseColumn] = erase_column_erase_column;
  t[ArrayInsert][Update] = array_insert_update;
  t[ArrayInsert][ArrayInsert] = array_insert_array_insert;
  t[ArrayMove][Update] = array_move_update;
  t[ArrayMove][ArrayInsert] = array_move_array_insert;
  t[ArrayMove][ArrayMove] = array_move_array_move;
  t[ArrayErase][Update] = array_erase_update;
  t[ArrayErase][ArrayInsert] = array_erase_array_insert;
  t[ArrayErase][ArrayMove] = array_erase_array_move;
  t[ArrayErase][ArrayErase] = array_erase_array_erase;
  t[Clear][Update] = clear_update;
  t[Clear][AddInteger] = clear_add_integer;
  t[Clear][Clear] = clear_clear;
  t[SetInsert][Clear] = set_operation_clear;
  t[SetInsert][SetInsert] = set_insert_set_insert;
  t[SetErase][Clear] = set_operation_clear;
  t[SetErase][SetInsert] = set_erase_set_insert;
  t[SetErase][SetErase] = set_erase_set_erase;
  return t;
}

constexpr auto kRules = make_table();

}  // namespace

Result<void> apply_pair_rule(Item& major, Item& minor) {
  const bool major_left = major.code() >= minor.code();
  Item& left = major_left ? major : minor;
  Item& right = major_left ? minor : major;
  if (Rule rule = kRules[left.code()][right.code()]) return rule(left, right);
  return {};
}

Result<void> merge_pair(Item& major, Item& minor) {
  const auto major_length = path_length(major.instruction);
  const auto minor_length = path_length(minor.instruction);
  if (minor_length < major_length) {
    if (auto r = apply_nested(minor, major); !r) return r;
  } else if (major_length < minor_length) {
    if (auto r = apply_nested(major, minor); !r) return r;
  }
  if (major.discarded || minor.discarded) return {};
  return apply_pair_rule(major, minor);
}

bool has_pair_rule(std::size_t a, std::size_t b) {
  return a >= b ? kRules[a][b] != nullptr : kRules[b][a] != nullptr;
}

}  // namespace ros::sync::transform
