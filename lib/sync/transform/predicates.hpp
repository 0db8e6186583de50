// The comparison predicates of merge.md 1.1 and 1.2, between instructions of
// the two sides. Each side resolves interned strings in its own table, so
// names and keys compare by content -- except raw_payload_equal, which
// reproduces realm-core's comparison by string-buffer position (the z3 quirk).
//
// Promises: pure functions; they never modify an Item.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "sync/transform/item.hpp"

namespace ros::sync::transform {

using changeset::InternRef;
using changeset::Path;
using changeset::PathElement;
using changeset::PathPrefix;
using changeset::Payload;
using changeset::PrimaryKey;

std::string_view str(const Item& item, InternRef ref);

// The path part of a path instruction (Update and later codes); nullptr for
// schema and object instructions.
const PathPrefix* path_of(const changeset::Instruction& instruction);
PathPrefix* path_of(changeset::Instruction& instruction);

// merge.md 1.1: 1 for tables, 2 for columns and objects, 3 + path elements
// for path instructions.
std::size_t path_length(const changeset::Instruction& instruction);

bool same_string(const Item& a, InternRef ra, const Item& b, InternRef rb);
bool same_key(const Item& a, const PrimaryKey& ka, const Item& b, const PrimaryKey& kb);
bool same_element(const Item& a, const PathElement& ea, const Item& b, const PathElement& eb);

bool same_table(const Item& a, const Item& b);
bool same_object(const Item& a, const Item& b);  // object and path instructions
bool same_field(const Item& a, const Item& b);   // path instructions
bool same_path(const Item& a, const Item& b);
bool same_container(const Item& a, const Item& b);
// `column` is an AddColumn or EraseColumn; `other` anything.
bool same_column(const Item& column, const Item& other);

// prefix(outer, inner): the position of inner's next path element when outer
// addresses a proper prefix of inner (for an object-level outer, the position
// is 0); nullopt otherwise.
std::optional<std::size_t> prefix(const Item& outer, const Item& inner);

// container_prefix(outer, inner): true when outer's container holds a proper
// ancestor of inner; then inner's element at outer's last position is the
// "corresponding index" (corresponding_index() returns it, or nullptr when
// that element is a string -- "inconsistent paths").
bool container_prefix(const Item& outer, const Item& inner);
uint32_t* corresponding_index(const Item& outer, Item& inner);

// The list index a list instruction (or an array Update) addresses: the last
// path element; nullptr when it is not an index.
uint32_t* last_index(Item& item);

bool same_payload(const Item& a, const Payload& pa, const Item& b, const Payload& pb);
// Payload equality as realm-core's SetErase x SetErase compares (merge.md
// 1.2, quirk): strings and binaries by their place in the parser's string
// buffer, links by interned-string index.
bool raw_payload_equal(const Item& a, const Payload& pa, const Item& b, const Payload& pb);

}  // namespace ros::sync::transform
