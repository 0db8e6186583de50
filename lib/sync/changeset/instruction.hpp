// The instruction model (changeset.md sections 7 to 9): one struct per
// instruction type, payloads, paths, and the Changeset that owns the table of
// interned strings they refer to.
//
// Promises: a Changeset is a plain value. Every InternRef in it is meant to be
// a valid index into `strings` (the parser and the JSON reader guarantee it;
// the encoder checks it). The model does not record where InternString
// declarations stood in the bytes: that is the encoder's Layout.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sync/changeset/types.hpp"

namespace ros::sync::changeset {

struct Link {
  InternRef table;    // the target class
  PrimaryKey target;  // the target object's key
};

// A value (section 8). `type` says which member is meaningful; the special
// types (ObjectValue, List, Dictionary, Set, Erased) and Null carry nothing.
// GlobalKey never occurs: the parser rejects it as a payload.
struct Payload {
  Type type = Type::Null;
  int64_t int_value = 0;
  bool bool_value = false;
  std::string bytes;  // String and Binary
  Timestamp timestamp;
  float float_value = 0;
  double double_value = 0;
  Decimal128 decimal;
  ObjectId object_id;
  Uuid uuid;
  Link link;
};

// A path element: a list index, or an interned field name / dictionary key.
using PathElement = std::variant<uint32_t, InternRef>;
using Path = std::vector<PathElement>;

// True when the path has an element and the last one is an index.
bool ends_in_index(const Path& path);

// The location shared by every instruction from Update on (section 7).
struct PathPrefix {
  InternRef table;
  PrimaryKey object;
  InternRef field;
  Path path;
};

struct AddTable {
  InternRef table;
  TableType table_type = TableType::TopLevel;
  // Present only for non-embedded tables.
  InternRef pk_field;
  Type pk_type = Type::GlobalKey;
  bool pk_nullable = false;
};
struct EraseTable {
  InternRef table;
};
struct CreateObject {
  InternRef table;
  PrimaryKey object;
};
struct EraseObject {
  InternRef table;
  PrimaryKey object;
};
struct Update {
  PathPrefix prefix;
  Payload value;
  uint32_t prior_size = 0;  // meaningful when the path ends in an index
  bool is_default = false;  // meaningful otherwise
};
struct AddInteger {
  PathPrefix prefix;
  int64_t value = 0;
};
struct AddColumn {
  InternRef table;
  InternRef field;
  Type type = Type::Int;  // Null means Mixed
  bool nullable = false;
  CollectionType collection_type = CollectionType::Single;
  std::optional<InternRef> link_target;  // present exactly when type is Link
  std::optional<Type> key_type;          // present exactly for dictionaries
};
struct EraseColumn {
  InternRef table;
  InternRef field;
};
struct ArrayInsert {
  PathPrefix prefix;
  Payload value;
  uint32_t prior_size = 0;
};
struct ArrayMove {
  PathPrefix prefix;
  uint32_t ndx_2 = 0;
  uint32_t prior_size = 0;
};
struct ArrayErase {
  PathPrefix prefix;
  uint32_t prior_size = 0;
};
struct Clear {
  PathPrefix prefix;
  CollectionType collection_type = CollectionType::Single;  // Single = not specified
};
struct SetInsert {
  PathPrefix prefix;
  Payload value;
};
struct SetErase {
  PathPrefix prefix;
  Payload value;
};

// The alternatives are in wire-code order: index() is the instruction code.
using Instruction =
    std::variant<AddTable, EraseTable, CreateObject, EraseObject, Update, AddInteger, AddColumn,
                 EraseColumn, ArrayInsert, ArrayMove, ArrayErase, Clear, SetInsert, SetErase>;

// realm-core's name of an instruction type, e.g. "ArrayInsert".
const char* instruction_name(const Instruction& instruction);
const char* instruction_name(std::size_t code);
inline constexpr std::size_t kInstructionCount = 14;
inline constexpr uint64_t kInternStringCode = 0x3f;

struct Changeset {
  std::vector<Instruction> instructions;
  std::vector<std::string> strings;  // interned strings, by index

  const std::string& str(InternRef ref) const { return strings.at(ref.index); }
};

// Where the InternString declarations stand (changeset.md section 4).
enum class Layout {
  streaming,  // each declared just before the first instruction that needs it
  hoisted,    // all declared first, in index order
};

}  // namespace ros::sync::changeset
