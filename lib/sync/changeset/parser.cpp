#include "sync/changeset/parser.hpp"

#include <limits>
#include <string>
#include <unordered_map>

#include "sync/changeset/int_codec.hpp"

namespace ros::sync::changeset {

namespace {

// A parse failure: the offset of the failing field and realm-core's reason.
struct Failure {
  std::size_t offset;
  std::string reason;
};

// Reads one changeset. Every read_* returns false after recording a Failure,
// so callers just propagate `false`.
class Reader {
 public:
  Reader(std::string_view bytes, std::size_t max_instructions)
      : data_(reinterpret_cast<const uint8_t*>(bytes.data())),
        size_(bytes.size()),
        max_instructions_(max_instructions) {}

  bool run(Parsed& out) {
    bool seen_instruction = false;
    while (pos_ < size_) {
      const std::size_t start = pos_;
      uint64_t code = 0;
      if (!read_int(code, kU64)) return false;
      if (code == kInternStringCode) {
        if (!read_intern_string()) return false;
        if (seen_instruction) out.layout = Layout::streaming;
        continue;
      }
      // realm-core compares the full code with 63 and otherwise uses only
      // its low 8 bits (section 9).
      const uint64_t low = code & 0xff;
      if (low >= kInstructionCount) {
        return fail(start, "Unknown instruction type: " + std::to_string(code));
      }
      if (cs_.instructions.size() >= max_instructions_) {
        return fail(start, "more than " + std::to_string(max_instructions_) + " instructions");
      }
      Instruction instruction;
      if (!read_instruction(low, instruction)) return false;
      cs_.instructions.push_back(std::move(instruction));
      seen_instruction = true;
    }
    out.changeset = std::move(cs_);
    return true;
  }

  const Failure& failure() const { return failure_; }

 private:
  bool fail(std::size_t offset, std::string reason) {
    failure_ = Failure{offset, std::move(reason)};
    return false;
  }

  bool read_int(uint64_t& out, IntWidth width) {
    const std::size_t start = pos_;
    auto v = decode_int(data_, size_, pos_, width);
    if (!v) return fail(start, "bad changeset - integer decoding failure");
    out = *v;
    return true;
  }
  bool read_u8(uint8_t& out) {
    uint64_t v = 0;
    if (!read_int(v, kU8)) return false;
    out = static_cast<uint8_t>(v);
    return true;
  }
  bool read_u32(uint32_t& out) {
    uint64_t v = 0;
    if (!read_int(v, kU32)) return false;
    out = static_cast<uint32_t>(v);
    return true;
  }
  bool read_i32(int32_t& out) {
    uint64_t v = 0;
    if (!read_int(v, kI32)) return false;
    out = static_cast<int32_t>(static_cast<int64_t>(v));
    return true;
  }
  bool read_i64(int64_t& out) {
    uint64_t v = 0;
    if (!read_int(v, kI64)) return false;
    out = static_cast<int64_t>(v);
    return true;
  }
  bool read_bool(bool& out) {
    uint8_t v = 0;
    if (!read_u8(v)) return false;
    out = v != 0;
    return true;
  }

  bool read_raw(uint8_t* out, std::size_t n) {
    if (size_ - pos_ < n) return fail(pos_, "truncated input");
    for (std::size_t i = 0; i < n; ++i) out[i] = data_[pos_ + i];
    pos_ += n;
    return true;
  }

  // A length-prefixed byte string; `limited` applies the string limit.
  bool read_bytes(std::string& out, bool limited) {
    const std::size_t start = pos_;
    uint64_t len = 0;
    if (!read_int(len, kU64)) return false;
    if (limited && len > kMaxStringLength) return fail(start, "string too long");
    if (len > size_ - pos_) return fail(pos_, "truncated input");
    out.assign(reinterpret_cast<const char*>(data_ + pos_), static_cast<std::size_t>(len));
    pos_ += static_cast<std::size_t>(len);
    return true;
  }

  bool read_intern_string() {
    const std::size_t start = pos_;
    uint32_t index = 0;
    if (!read_u32(index)) return false;
    if (index != cs_.strings.size()) {
      return fail(start, "Unexpected intern index: " + std::to_string(index));
    }
    const std::size_t text_start = pos_;
    std::string text;
    if (!read_bytes(text, true)) return false;
    if (index_.count(text) != 0) return fail(text_start, "Unexpected intern string: " + text);
    index_.emplace(text, index);
    cs_.strings.push_back(std::move(text));
    return true;
  }

  bool read_ref(InternRef& out) {
    const std::size_t start = pos_;
    uint32_t index = 0;
    if (!read_u32(index)) return false;
    if (index >= cs_.strings.size()) return fail(start, "Invalid interned string");
    out.index = index;
    return true;
  }

  // A type tag: int64 cut to its low 8 bits as a signed byte (section 5.1).
  bool read_type(Type& out, std::size_t& start) {
    start = pos_;
    int64_t raw = 0;
    if (!read_i64(raw)) return false;
    const auto cut = static_cast<int8_t>(static_cast<uint8_t>(static_cast<uint64_t>(raw) & 0xff));
    if (cut < kMinType || cut > kMaxType) return fail(start, "Unsupported data type");
    out = static_cast<Type>(cut);
    return true;
  }

  bool read_collection_type(CollectionType& out) {
    const std::size_t start = pos_;
    uint8_t v = 0;
    if (!read_u8(v)) return false;
    if (v > 3) return fail(start, "Unsupported collection type");
    out = static_cast<CollectionType>(v);
    return true;
  }

  bool read_key(PrimaryKey& out) {
    Type type{};
    std::size_t start = 0;
    if (!read_type(type, start)) return false;
    switch (type) {
      case Type::Null:
        out = Null{};
        return true;
      case Type::Int: {
        int64_t v = 0;
        if (!read_i64(v)) return false;
        out = v;
        return true;
      }
      case Type::String: {
        InternRef ref;
        if (!read_ref(ref)) return false;
        out = ref;
        return true;
      }
      case Type::ObjectId: {
        ObjectId oid;
        if (!read_raw(oid.bytes.data(), oid.bytes.size())) return false;
        out = oid;
        return true;
      }
      case Type::UUID: {
        Uuid uuid;
        if (!read_raw(uuid.bytes.data(), uuid.bytes.size())) return false;
        out = uuid;
        return true;
      }
      case Type::GlobalKey: {
        GlobalKey key;
        if (!read_int(key.hi, kU64) || !read_int(key.lo, kU64)) return false;
        out = key;
        return true;
      }
      default:
        return fail(start, "Unsupported object key type");
    }
  }

  bool read_timestamp(Timestamp& out) {
    if (!read_i64(out.seconds)) return false;
    const std::size_t start = pos_;
    int64_t ns = 0;
    if (!read_i64(ns)) return false;
    if (ns > INT32_MAX) return fail(start, "timestamp out of range");
    // Values below INT32_MIN are cut to 32 bits, as realm-core does (L8).
    out.nanoseconds = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(ns)));
    return true;
  }

  bool read_decimal(Decimal128& out) {
    const std::size_t start = pos_;
    auto coefficient = decode_coefficient(data_, size_, pos_);
    if (!coefficient) return fail(start, "bad changeset - decimal decoding failure");
    int32_t exponent = 0;
    int32_t sign = 0;
    if (!read_i32(exponent) || !read_i32(sign)) return false;
    // Raw bit fields, unchecked, exactly as realm-core assembles them.
    out.w0 = coefficient->lo;
    out.w1 = coefficient->hi |
             (static_cast<uint64_t>(static_cast<int64_t>(exponent) + 6176) << 49) |
             (static_cast<uint64_t>(sign != 0 ? 1 : 0) << 63);
    return true;
  }

  bool read_payload(Payload& out) {
    std::size_t start = 0;
    if (!read_type(out.type, start)) return false;
    switch (out.type) {
      case Type::GlobalKey:
        return fail(start, "Unsupported payload data type");
      case Type::Int:
        return read_i64(out.int_value);
      case Type::Bool:
        return read_bool(out.bool_value);
      case Type::String:
        return read_bytes(out.bytes, true);
      case Type::Binary:
        return read_bytes(out.bytes, false);
      case Type::Timestamp:
        return read_timestamp(out.timestamp);
      case Type::Float: {
        uint8_t raw[4];
        if (!read_raw(raw, 4)) return false;
        uint32_t bits = 0;
        for (int i = 3; i >= 0; --i) bits = (bits << 8) | raw[i];
        static_assert(sizeof(float) == 4);
        __builtin_memcpy(&out.float_value, &bits, 4);
        return true;
      }
      case Type::Double: {
        uint8_t raw[8];
        if (!read_raw(raw, 8)) return false;
        uint64_t bits = 0;
        for (int i = 7; i >= 0; --i) bits = (bits << 8) | raw[i];
        static_assert(sizeof(double) == 8);
        __builtin_memcpy(&out.double_value, &bits, 8);
        return true;
      }
      case Type::Decimal:
        return read_decimal(out.decimal);
      case Type::Link:
        return read_ref(out.link.table) && read_key(out.link.target);
      case Type::ObjectId:
        return read_raw(out.object_id.bytes.data(), out.object_id.bytes.size());
      case Type::UUID:
        return read_raw(out.uuid.bytes.data(), out.uuid.bytes.size());
      default:
        return true;  // Null and the special payloads carry nothing
    }
  }

  bool read_path(Path& out) {
    uint32_t count = 0;
    if (!read_u32(count)) return false;
    // No reserve(count): the count is untrusted, and each element takes at
    // least one byte, so growth stays bounded by the input.
    for (uint32_t i = 0; i < count; ++i) {
      int64_t v = 0;
      if (!read_i64(v)) return false;
      if (v >= 0) {
        out.emplace_back(static_cast<uint32_t>(static_cast<uint64_t>(v)));
      } else {
        InternRef ref;
        if (!read_ref(ref)) return false;
        out.emplace_back(ref);
      }
    }
    return true;
  }

  bool read_prefix(PathPrefix& out) {
    return read_ref(out.table) && read_key(out.object) && read_ref(out.field) &&
           read_path(out.path);
  }

  bool read_indexed_prefix(PathPrefix& out, const char* name) {
    const std::size_t start = pos_;
    if (!read_prefix(out)) return false;
    if (!ends_in_index(out.path)) return fail(start, std::string(name) + " without an index");
    return true;
  }

  bool read_instruction(uint64_t code, Instruction& out) {
    switch (code) {
      case 0: {
        AddTable in;
        if (!read_ref(in.table)) return false;
        const std::size_t start = pos_;
        uint8_t table_type = 0;
        if (!read_u8(table_type)) return false;
        if (table_type > 2) {
          return fail(start, "AddTable: unknown table type: " + std::to_string(table_type));
        }
        in.table_type = static_cast<TableType>(table_type);
        if (in.table_type != TableType::Embedded) {
          if (!read_ref(in.pk_field)) return false;
          std::size_t type_start = 0;
          if (!read_type(in.pk_type, type_start)) return false;
          switch (in.pk_type) {
            case Type::Int:
            case Type::String:
            case Type::ObjectId:
            case Type::UUID:
            case Type::GlobalKey:
              break;
            default:
              return fail(type_start, "Invalid primary key type in AddTable: " +
                                          std::to_string(static_cast<int>(in.pk_type)));
          }
          if (!read_bool(in.pk_nullable)) return false;
        }
        out = in;
        return true;
      }
      case 1: {
        EraseTable in;
        if (!read_ref(in.table)) return false;
        out = in;
        return true;
      }
      case 2: {
        CreateObject in;
        if (!read_ref(in.table) || !read_key(in.object)) return false;
        out = in;
        return true;
      }
      case 3: {
        EraseObject in;
        if (!read_ref(in.table) || !read_key(in.object)) return false;
        out = in;
        return true;
      }
      case 4: {
        Update in;
        if (!read_prefix(in.prefix) || !read_payload(in.value)) return false;
        if (ends_in_index(in.prefix.path)) {
          if (!read_u32(in.prior_size)) return false;
        } else {
          if (!read_bool(in.is_default)) return false;
        }
        out = std::move(in);
        return true;
      }
      case 5: {
        AddInteger in;
        if (!read_prefix(in.prefix) || !read_i64(in.value)) return false;
        out = std::move(in);
        return true;
      }
      case 6: {
        AddColumn in;
        std::size_t start = 0;
        if (!read_ref(in.table) || !read_ref(in.field) || !read_type(in.type, start) ||
            !read_bool(in.nullable) || !read_collection_type(in.collection_type)) {
          return false;
        }
        if (in.type == Type::Link) {
          InternRef target;
          if (!read_ref(target)) return false;
          in.link_target = target;
        }
        if (in.collection_type == CollectionType::Dictionary) {
          Type key_type{};
          if (!read_type(key_type, start)) return false;
          in.key_type = key_type;
        }
        out = in;
        return true;
      }
      case 7: {
        EraseColumn in;
        if (!read_ref(in.table) || !read_ref(in.field)) return false;
        out = in;
        return true;
      }
      case 8: {
        ArrayInsert in;
        if (!read_indexed_prefix(in.prefix, "ArrayInsert") || !read_payload(in.value) ||
            !read_u32(in.prior_size)) {
          return false;
        }
        out = std::move(in);
        return true;
      }
      case 9: {
        ArrayMove in;
        if (!read_indexed_prefix(in.prefix, "ArrayMove") || !read_u32(in.ndx_2) ||
            !read_u32(in.prior_size)) {
          return false;
        }
        out = std::move(in);
        return true;
      }
      case 10: {
        ArrayErase in;
        if (!read_indexed_prefix(in.prefix, "ArrayErase") || !read_u32(in.prior_size)) {
          return false;
        }
        out = std::move(in);
        return true;
      }
      case 11: {
        Clear in;
        if (!read_prefix(in.prefix) || !read_collection_type(in.collection_type)) return false;
        out = std::move(in);
        return true;
      }
      case 12: {
        SetInsert in;
        if (!read_prefix(in.prefix) || !read_payload(in.value)) return false;
        out = std::move(in);
        return true;
      }
      default: {
        SetErase in;
        if (!read_prefix(in.prefix) || !read_payload(in.value)) return false;
        out = std::move(in);
        return true;
      }
    }
  }

  const uint8_t* data_;
  std::size_t size_;
  const std::size_t max_instructions_;
  std::size_t pos_ = 0;
  Changeset cs_;
  std::unordered_map<std::string, uint32_t> index_;  // interned text -> index
  Failure failure_{0, {}};
};

}  // namespace

Result<Parsed> parse(std::string_view bytes) {
  return parse(bytes, std::numeric_limits<std::size_t>::max());
}

Result<Parsed> parse(std::string_view bytes, std::size_t max_instructions) {
  Reader reader(bytes, max_instructions);
  Parsed parsed;
  if (!reader.run(parsed)) {
    const Failure& f = reader.failure();
    return make_error(Errc::invalid_argument, "byte " + std::to_string(f.offset) + ": " + f.reason);
  }
  return parsed;
}

}  // namespace ros::sync::changeset
