#include "sync/changeset/encoder.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "sync/changeset/int_codec.hpp"

namespace ros::sync::changeset {

namespace {

// The interned strings an instruction uses, in the order a client interns them.
class RefCollector {
 public:
  std::vector<uint32_t> refs;

  void ref(InternRef r) { refs.push_back(r.index); }
  void key(const PrimaryKey& k) {
    if (const auto* r = std::get_if<InternRef>(&k)) ref(*r);
  }
  void prefix(const PathPrefix& p) {
    ref(p.table);
    key(p.object);
    ref(p.field);
    for (const auto& e : p.path) {
      if (const auto* r = std::get_if<InternRef>(&e)) ref(*r);
    }
  }
  void payload(const Payload& v) {
    if (v.type == Type::Link) {
      ref(v.link.table);
      key(v.link.target);
    }
  }
};

std::vector<uint32_t> refs_of(const Instruction& instruction) {
  RefCollector c;
  std::visit(
      [&](const auto& in) {
        using T = std::decay_t<decltype(in)>;
        if constexpr (std::is_same_v<T, AddTable>) {
          c.ref(in.table);
          if (in.table_type != TableType::Embedded) c.ref(in.pk_field);
        } else if constexpr (std::is_same_v<T, EraseTable>) {
          c.ref(in.table);
        } else if constexpr (std::is_same_v<T, CreateObject> || std::is_same_v<T, EraseObject>) {
          c.ref(in.table);
          c.key(in.object);
        } else if constexpr (std::is_same_v<T, AddColumn>) {
          c.ref(in.table);
          c.ref(in.field);
          if (in.link_target) c.ref(*in.link_target);
        } else if constexpr (std::is_same_v<T, EraseColumn>) {
          c.ref(in.table);
          c.ref(in.field);
        } else {
          c.prefix(in.prefix);
          if constexpr (requires { in.value.type; }) c.payload(in.value);
        }
      },
      instruction);
  return c.refs;
}

const PathPrefix* prefix_of(const Instruction& instruction) {
  return std::visit(
      [](const auto& in) -> const PathPrefix* {
        if constexpr (requires { in.prefix; }) {
          return &in.prefix;
        } else {
          return nullptr;
        }
      },
      instruction);
}

class Writer {
 public:
  explicit Writer(const Changeset& cs) : cs_(cs) {}

  std::string out;
  std::optional<std::string> error;

  void intern_string(uint32_t index) {
    encode_uint(out, kInternStringCode);
    encode_uint(out, index);
    bytes(cs_.strings[index]);
  }

  void instruction(const Instruction& instruction) {
    encode_uint(out, instruction.index());
    std::visit([&](const auto& in) { body(in); }, instruction);
  }

 private:
  void bytes(const std::string& s) {
    encode_uint(out, s.size());
    out.append(s);
  }
  void ref(InternRef r) {
    if (r.index >= cs_.strings.size()) {
      error = "interned string " + std::to_string(r.index) + " is not in the table of " +
              std::to_string(cs_.strings.size());
    }
    encode_uint(out, r.index);
  }
  void type(Type t) { encode_int(out, static_cast<int64_t>(t)); }
  void boolean(bool b) { encode_uint(out, b ? 1 : 0); }
  void raw(const uint8_t* p, std::size_t n) { out.append(reinterpret_cast<const char*>(p), n); }

  void key(const PrimaryKey& k) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, Null>) {
            type(Type::Null);
          } else if constexpr (std::is_same_v<T, int64_t>) {
            type(Type::Int);
            encode_int(out, v);
          } else if constexpr (std::is_same_v<T, InternRef>) {
            type(Type::String);
            ref(v);
          } else if constexpr (std::is_same_v<T, ObjectId>) {
            type(Type::ObjectId);
            raw(v.bytes.data(), v.bytes.size());
          } else if constexpr (std::is_same_v<T, Uuid>) {
            type(Type::UUID);
            raw(v.bytes.data(), v.bytes.size());
          } else {
            type(Type::GlobalKey);
            encode_uint(out, v.hi);
            encode_uint(out, v.lo);
          }
        },
        k);
  }

  void payload(const Payload& v) {
    type(v.type);
    switch (v.type) {
      case Type::GlobalKey:
        error = "a GlobalKey cannot be a payload";
        break;
      case Type::Int:
        encode_int(out, v.int_value);
        break;
      case Type::Bool:
        boolean(v.bool_value);
        break;
      case Type::String:
      case Type::Binary:
        bytes(v.bytes);
        break;
      case Type::Timestamp:
        encode_int(out, v.timestamp.seconds);
        encode_int(out, v.timestamp.nanoseconds);
        break;
      case Type::Float: {
        uint32_t bits = 0;
        std::memcpy(&bits, &v.float_value, 4);
        for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
        break;
      }
      case Type::Double: {
        uint64_t bits = 0;
        std::memcpy(&bits, &v.double_value, 8);
        for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
        break;
      }
      case Type::Decimal: {
        // The inverse of the parser's bit assembly (section 3.6).
        const U128 coefficient{v.decimal.w0, v.decimal.w1 & ((uint64_t{1} << 49) - 1)};
        encode_coefficient(out, coefficient);
        encode_int(out, static_cast<int64_t>((v.decimal.w1 >> 49) & 0x3fff) - 6176);
        encode_int(out, static_cast<int64_t>(v.decimal.w1 >> 63));
        break;
      }
      case Type::Link:
        ref(v.link.table);
        key(v.link.target);
        break;
      case Type::ObjectId:
        raw(v.object_id.bytes.data(), v.object_id.bytes.size());
        break;
      case Type::UUID:
        raw(v.uuid.bytes.data(), v.uuid.bytes.size());
        break;
      default:
        break;
    }
  }

  void prefix(const PathPrefix& p) {
    ref(p.table);
    key(p.object);
    ref(p.field);
    encode_uint(out, p.path.size());
    for (const auto& e : p.path) {
      if (const auto* index = std::get_if<uint32_t>(&e)) {
        encode_int(out, *index);
      } else {
        encode_int(out, -1);
        ref(std::get<InternRef>(e));
      }
    }
  }

  void body(const AddTable& in) {
    ref(in.table);
    encode_uint(out, static_cast<uint8_t>(in.table_type));
    if (in.table_type != TableType::Embedded) {
      ref(in.pk_field);
      type(in.pk_type);
      boolean(in.pk_nullable);
    }
  }
  void body(const EraseTable& in) { ref(in.table); }
  void body(const CreateObject& in) {
    ref(in.table);
    key(in.object);
  }
  void body(const EraseObject& in) {
    ref(in.table);
    key(in.object);
  }
  void body(const Update& in) {
    prefix(in.prefix);
    payload(in.value);
    if (ends_in_index(in.prefix.path)) {
      encode_uint(out, in.prior_size);
    } else {
      boolean(in.is_default);
    }
  }
  void body(const AddInteger& in) {
    prefix(in.prefix);
    encode_int(out, in.value);
  }
  void body(const AddColumn& in) {
    ref(in.table);
    ref(in.field);
    type(in.type);
    boolean(in.nullable);
    encode_uint(out, static_cast<uint8_t>(in.collection_type));
    if (in.type == Type::Link) {
      if (!in.link_target) error = "AddColumn of a Link without a link target";
      ref(in.link_target.value_or(InternRef{}));
    }
    if (in.collection_type == CollectionType::Dictionary) type(in.key_type.value_or(Type::String));
  }
  void body(const EraseColumn& in) {
    ref(in.table);
    ref(in.field);
  }
  void body(const ArrayInsert& in) {
    prefix(in.prefix);
    payload(in.value);
    encode_uint(out, in.prior_size);
  }
  void body(const ArrayMove& in) {
    prefix(in.prefix);
    encode_uint(out, in.ndx_2);
    encode_uint(out, in.prior_size);
  }
  void body(const ArrayErase& in) {
    prefix(in.prefix);
    encode_uint(out, in.prior_size);
  }
  void body(const Clear& in) {
    prefix(in.prefix);
    encode_uint(out, static_cast<uint8_t>(in.collection_type));
  }
  void body(const SetInsert& in) {
    prefix(in.prefix);
    payload(in.value);
  }
  void body(const SetErase& in) {
    prefix(in.prefix);
    payload(in.value);
  }

  const Changeset& cs_;
};

}  // namespace

Result<std::string> encode(const Changeset& cs, Layout layout) {
  Writer w(cs);
  const auto n = static_cast<uint32_t>(cs.strings.size());
  if (cs.instructions.empty()) return std::string();

  if (layout == Layout::hoisted) {
    for (uint32_t i = 0; i < n; ++i) w.intern_string(i);
    for (const auto& in : cs.instructions) w.instruction(in);
  } else {
    // Which strings some instruction references; the rest are quirk strings.
    std::vector<bool> referenced(n, false);
    std::vector<std::vector<uint32_t>> refs;
    refs.reserve(cs.instructions.size());
    for (const auto& in : cs.instructions) {
      refs.push_back(refs_of(in));
      for (uint32_t r : refs.back()) {
        if (r < n) referenced[r] = true;
      }
    }
    std::optional<uint32_t> empty_index;
    for (uint32_t i = 0; i < n; ++i) {
      if (cs.strings[i].empty()) empty_index = i;
    }
    uint32_t declared = 0;  // strings [0, declared) are out
    for (std::size_t k = 0; k < cs.instructions.size(); ++k) {
      const Instruction& in = cs.instructions[k];
      int64_t need = -1;
      for (uint32_t r : refs[k]) need = std::max<int64_t>(need, r);
      if (const auto* col = std::get_if<AddColumn>(&in); col && !col->link_target && empty_index) {
        // Quirk (a): the client interns "" as the absent link target.
        need = std::max<int64_t>(need, *empty_index);
      }
      if (need < static_cast<int64_t>(declared)) {
        // Nothing new needed. Quirk (b) strings waiting at the front go with
        // an instruction that reaches into an object through a string.
        const PathPrefix* p = prefix_of(in);
        const bool through_string =
            p && std::any_of(p->path.begin(), p->path.end(), [](const PathElement& e) {
              return std::holds_alternative<InternRef>(e);
            });
        if (through_string) {
          uint32_t i = declared;
          while (i < n && !referenced[i] && !cs.strings[i].empty()) ++i;
          need = static_cast<int64_t>(i) - 1;
        }
      }
      for (; static_cast<int64_t>(declared) <= need && declared < n; ++declared) {
        w.intern_string(declared);
      }
      w.instruction(in);
    }
    for (; declared < n; ++declared) w.intern_string(declared);
  }
  if (w.error) return make_error(Errc::invalid_argument, "cannot encode changeset: " + *w.error);
  return std::move(w.out);
}

}  // namespace ros::sync::changeset
