#include "sync/transform/predicates.hpp"

namespace ros::sync::transform {

using namespace changeset;

std::string_view str(const Item& item, InternRef ref) { return item.changeset.str(ref); }

const PathPrefix* path_of(const Instruction& instruction) {
  return std::visit(
      [](const auto& i) -> const PathPrefix* {
        if constexpr (requires { i.prefix; }) {
          return &i.prefix;
        } else {
          return nullptr;
        }
      },
      instruction);
}

PathPrefix* path_of(Instruction& instruction) {
  return const_cast<PathPrefix*>(path_of(static_cast<const Instruction&>(instruction)));
}

std::size_t path_length(const Instruction& instruction) {
  if (const auto* p = path_of(instruction)) return 3 + p->path.size();
  switch (instruction.index()) {
    case 0:  // AddTable
    case 1:  // EraseTable
      return 1;
    default:  // CreateObject, EraseObject, AddColumn, EraseColumn
      return 2;
  }
}

namespace {

InternRef table_of(const Instruction& instruction) {
  if (const auto* p = path_of(instruction)) return p->table;
  return std::visit(
      [](const auto& i) -> InternRef {
        if constexpr (requires { i.table; }) {
          return i.table;
        } else {
          return InternRef{};
        }
      },
      instruction);
}

const PrimaryKey* object_of(const Instruction& instruction) {
  if (const auto* p = path_of(instruction)) return &p->object;
  if (const auto* c = std::get_if<CreateObject>(&instruction)) return &c->object;
  if (const auto* e = std::get_if<EraseObject>(&instruction)) return &e->object;
  return nullptr;
}

}  // namespace

bool same_string(const Item& a, InternRef ra, const Item& b, InternRef rb) {
  return str(a, ra) == str(b, rb);
}

bool same_key(const Item& a, const PrimaryKey& ka, const Item& b, const PrimaryKey& kb) {
  if (ka.index() != kb.index()) return false;
  if (const auto* sa = std::get_if<InternRef>(&ka))
    return same_string(a, *sa, b, std::get<InternRef>(kb));
  return ka == kb;
}

bool same_element(const Item& a, const PathElement& ea, const Item& b, const PathElement& eb) {
  if (ea.index() != eb.index()) return false;
  if (const auto* ia = std::get_if<uint32_t>(&ea)) return *ia == std::get<uint32_t>(eb);
  return same_string(a, std::get<InternRef>(ea), b, std::get<InternRef>(eb));
}

bool same_table(const Item& a, const Item& b) {
  return same_string(a, table_of(a.instruction), b, table_of(b.instruction));
}

bool same_object(const Item& a, const Item& b) {
  const auto* ka = object_of(a.instruction);
  const auto* kb = object_of(b.instruction);
  return ka && kb && same_table(a, b) && same_key(a, *ka, b, *kb);
}

bool same_field(const Item& a, const Item& b) {
  const auto* pa = path_of(a.instruction);
  const auto* pb = path_of(b.instruction);
  return pa && pb && same_object(a, b) && same_string(a, pa->field, b, pb->field);
}

namespace {

// The first `n` elements of both paths are equal.
bool same_elements(const Item& a, const Path& pa, const Item& b, const Path& pb, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (!same_element(a, pa[i], b, pb[i])) return false;
  return true;
}

}  // namespace

bool same_path(const Item& a, const Item& b) {
  if (!same_field(a, b)) return false;
  const auto& pa = path_of(a.instruction)->path;
  const auto& pb = path_of(b.instruction)->path;
  return pa.size() == pb.size() && same_elements(a, pa, b, pb, pa.size());
}

bool same_container(const Item& a, const Item& b) {
  if (!same_field(a, b)) return false;
  const auto& pa = path_of(a.instruction)->path;
  const auto& pb = path_of(b.instruction)->path;
  if (pa.size() != pb.size()) return false;
  return pa.empty() || same_elements(a, pa, b, pb, pa.size() - 1);
}

bool same_column(const Item& column, const Item& other) {
  InternRef field;
  if (const auto* add = std::get_if<AddColumn>(&column.instruction)) {
    field = add->field;
  } else {
    field = std::get<EraseColumn>(column.instruction).field;
  }
  if (!same_table(column, other)) return false;
  if (const auto* p = path_of(other.instruction))
    return same_string(column, field, other, p->field);
  if (const auto* add = std::get_if<AddColumn>(&other.instruction))
    return same_string(column, field, other, add->field);
  if (const auto* erase = std::get_if<EraseColumn>(&other.instruction))
    return same_string(column, field, other, erase->field);
  return false;
}

std::optional<std::size_t> prefix(const Item& outer, const Item& inner) {
  const auto* pi = path_of(inner.instruction);
  if (!pi) return std::nullopt;
  const auto code = outer.code();
  if (code == 2 || code == 3) {  // CreateObject, EraseObject
    if (same_object(outer, inner)) return 0;
    return std::nullopt;
  }
  const auto* po = path_of(outer.instruction);
  if (!po || po->path.size() >= pi->path.size() || !same_field(outer, inner)) return std::nullopt;
  if (!same_elements(outer, po->path, inner, pi->path, po->path.size())) return std::nullopt;
  return po->path.size();
}

bool container_prefix(const Item& outer, const Item& inner) {
  const auto* po = path_of(outer.instruction);
  const auto* pi = path_of(inner.instruction);
  if (!po || !pi || po->path.empty() || po->path.size() >= pi->path.size()) return false;
  if (!same_field(outer, inner)) return false;
  return same_elements(outer, po->path, inner, pi->path, po->path.size() - 1);
}

uint32_t* corresponding_index(const Item& outer, Item& inner) {
  auto& element = path_of(inner.instruction)->path[path_of(outer.instruction)->path.size() - 1];
  return std::get_if<uint32_t>(&element);
}

uint32_t* last_index(Item& item) {
  auto* p = path_of(item.instruction);
  if (!p || p->path.empty()) return nullptr;
  return std::get_if<uint32_t>(&p->path.back());
}

namespace {

bool same_link(const Item& a, const Link& la, const Item& b, const Link& lb) {
  return same_string(a, la.table, b, lb.table) && same_key(a, la.target, b, lb.target);
}

// Equality of the values that both comparisons treat alike; `strings`
// decides String, Binary and Link.
template <class Strings>
bool payload_equal(const Payload& pa, const Payload& pb, Strings strings) {
  if (pa.type != pb.type) return false;
  switch (pa.type) {
    case Type::Int:
      return pa.int_value == pb.int_value;
    case Type::Bool:
      return pa.bool_value == pb.bool_value;
    case Type::Timestamp:
      return pa.timestamp == pb.timestamp;
    case Type::Float:
      return pa.float_value == pb.float_value;
    case Type::Double:
      return pa.double_value == pb.double_value;
    case Type::Decimal:
      return pa.decimal == pb.decimal;
    case Type::ObjectId:
      return pa.object_id == pb.object_id;
    case Type::UUID:
      return pa.uuid == pb.uuid;
    case Type::String:
    case Type::Binary:
    case Type::Link:
      return strings();
    default:  // Null, Erased, List, Set, Dictionary, ObjectValue
      return true;
  }
}

}  // namespace

bool same_payload(const Item& a, const Payload& pa, const Item& b, const Payload& pb) {
  return payload_equal(pa, pb, [&] {
    if (pa.type == Type::Link) return same_link(a, pa.link, b, pb.link);
    return pa.bytes == pb.bytes;
  });
}

bool raw_payload_equal(const Item& a, const Payload& pa, const Item& b, const Payload& pb) {
  return payload_equal(pa, pb, [&] {
    if (pa.type == Type::Link) {
      if (pa.link.table.index != pb.link.table.index) return false;
      if (pa.link.target.index() != pb.link.target.index()) return false;
      // String keys compare by interned index, every other key by value.
      return pa.link.target == pb.link.target;
    }
    return a.payload_offset == b.payload_offset && pa.bytes.size() == pb.bytes.size();
  });
}

}  // namespace ros::sync::transform
