#include "sync/store/codec.hpp"

#include <cstring>

namespace ros::sync::store {

namespace cs = ros::sync::changeset;

namespace {

// Values nest (lists in Mixed, embedded objects); a corrupt record must not
// recurse without bound.
constexpr int kMaxDepth = 200;

class Writer {
 public:
  std::string out;

  void byte(uint8_t b) { out.push_back(static_cast<char>(b)); }
  void uint(uint64_t v) {
    while (v >= 0x80) {
      byte(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    byte(static_cast<uint8_t>(v));
  }
  void sint(int64_t v) {
    uint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void bytes(std::string_view s) {
    uint(s.size());
    out.append(s);
  }
  void fixed(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) byte(static_cast<uint8_t>(v >> (8 * i)));
  }
  template <std::size_t N>
  void raw(const std::array<uint8_t, N>& a) {
    out.append(reinterpret_cast<const char*>(a.data()), N);
  }

  void key(const cs::ObjectKey& k) {
    byte(static_cast<uint8_t>(k.index()));
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, int64_t>) {
            sint(v);
          } else if constexpr (std::is_same_v<T, std::string>) {
            bytes(v);
          } else if constexpr (std::is_same_v<T, cs::ObjectId> || std::is_same_v<T, cs::Uuid>) {
            raw(v.bytes);
          } else if constexpr (std::is_same_v<T, cs::GlobalKey>) {
            uint(v.hi);
            uint(v.lo);
          }
        },
        k);
  }

  void fields(const std::map<std::string, cs::Value>& m) {
    uint(m.size());
    for (const auto& [name, v] : m) {
      bytes(name);
      value(v);
    }
  }

  void value(const cs::Value& v) {
    using K = cs::Value::Kind;
    byte(static_cast<uint8_t>(v.kind));
    switch (v.kind) {
      case K::Null:
        break;
      case K::Int:
        sint(v.int_value);
        break;
      case K::Bool:
        byte(v.bool_value ? 1 : 0);
        break;
      case K::String:
      case K::Binary:
        bytes(v.bytes);
        break;
      case K::Timestamp:
        sint(v.timestamp.seconds);
        sint(v.timestamp.nanoseconds);
        break;
      case K::Float: {
        uint32_t bits;
        std::memcpy(&bits, &v.float_value, 4);
        fixed(bits, 4);
        break;
      }
      case K::Double: {
        uint64_t bits;
        std::memcpy(&bits, &v.double_value, 8);
        fixed(bits, 8);
        break;
      }
      case K::Decimal:
        fixed(v.decimal.w0, 8);
        fixed(v.decimal.w1, 8);
        break;
      case K::ObjectId:
        raw(v.object_id.bytes);
        break;
      case K::UUID:
        raw(v.uuid.bytes);
        break;
      case K::Link:
        bytes(v.link_table);
        key(v.link_key);
        break;
      case K::Embedded:
      case K::Dictionary:
        fields(v.fields);
        break;
      case K::List:
      case K::Set:
        uint(v.items.size());
        for (const auto& item : v.items) value(item);
        break;
    }
  }

  void spec(const cs::ClassSpec& s) {
    byte(static_cast<uint8_t>(s.table_type));
    byte(s.primary_key ? 1 : 0);
    if (s.primary_key) {
      bytes(s.primary_key->field);
      byte(static_cast<uint8_t>(s.primary_key->type));
      byte(s.primary_key->nullable ? 1 : 0);
    }
    uint(s.orphaned_objects);
    uint(s.columns.size());
    for (const auto& [name, c] : s.columns) {
      bytes(name);
      byte(static_cast<uint8_t>(c.type));
      byte(c.nullable ? 1 : 0);
      byte(static_cast<uint8_t>(c.collection));
      bytes(c.link_target);
    }
  }
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return ok_ && pos_ == in_.size(); }

  uint8_t byte() {
    if (!ok_ || pos_ >= in_.size()) return fail();
    return static_cast<uint8_t>(in_[pos_++]);
  }
  uint64_t uint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = byte();
      if (!ok_) return 0;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return fail();
  }
  int64_t sint() {
    uint64_t u = uint();
    return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  std::string bytes() {
    uint64_t n = uint();
    if (!ok_ || n > in_.size() - pos_) {
      fail();
      return {};
    }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  uint64_t fixed(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(byte()) << (8 * i);
    return v;
  }
  template <std::size_t N>
  void raw(std::array<uint8_t, N>& a) {
    for (auto& b : a) b = byte();
  }
  bool flag() {
    uint8_t b = byte();
    if (b > 1) fail();
    return b == 1;
  }
  // A count of items that each take at least one byte: bounded by the input.
  uint64_t count() {
    uint64_t n = uint();
    if (n > in_.size() - pos_) fail();
    return ok_ ? n : 0;
  }

  cs::ObjectKey key() {
    switch (byte()) {
      case 0:
        return cs::Null{};
      case 1:
        return sint();
      case 2:
        return bytes();
      case 3: {
        cs::ObjectId oid;
        raw(oid.bytes);
        return oid;
      }
      case 4: {
        cs::Uuid u;
        raw(u.bytes);
        return u;
      }
      case 5: {
        cs::GlobalKey g;
        g.hi = uint();
        g.lo = uint();
        return g;
      }
      default:
        fail();
        return cs::Null{};
    }
  }

  std::map<std::string, cs::Value> fields(int depth) {
    std::map<std::string, cs::Value> m;
    uint64_t n = count();
    for (uint64_t i = 0; ok_ && i < n; ++i) {
      std::string name = bytes();
      m[std::move(name)] = value(depth);
    }
    return m;
  }

  cs::Value value(int depth) {
    using K = cs::Value::Kind;
    cs::Value v;
    if (depth > kMaxDepth) {
      fail();
      return v;
    }
    uint8_t kind = byte();
    if (kind > static_cast<uint8_t>(K::Dictionary)) {
      fail();
      return v;
    }
    v.kind = static_cast<K>(kind);
    switch (v.kind) {
      case K::Null:
        break;
      case K::Int:
        v.int_value = sint();
        break;
      case K::Bool:
        v.bool_value = flag();
        break;
      case K::String:
      case K::Binary:
        v.bytes = bytes();
        break;
      case K::Timestamp: {
        v.timestamp.seconds = sint();
        int64_t ns = sint();
        if (ns < INT32_MIN || ns > INT32_MAX) fail();
        v.timestamp.nanoseconds = static_cast<int32_t>(ns);
        break;
      }
      case K::Float: {
        auto bits = static_cast<uint32_t>(fixed(4));
        std::memcpy(&v.float_value, &bits, 4);
        break;
      }
      case K::Double: {
        uint64_t bits = fixed(8);
        std::memcpy(&v.double_value, &bits, 8);
        break;
      }
      case K::Decimal:
        v.decimal.w0 = fixed(8);
        v.decimal.w1 = fixed(8);
        break;
      case K::ObjectId:
        raw(v.object_id.bytes);
        break;
      case K::UUID:
        raw(v.uuid.bytes);
        break;
      case K::Link:
        v.link_table = bytes();
        v.link_key = key();
        break;
      case K::Embedded:
      case K::Dictionary:
        v.fields = fields(depth + 1);
        break;
      case K::List:
      case K::Set: {
        uint64_t n = count();
        for (uint64_t i = 0; ok_ && i < n; ++i) v.items.push_back(value(depth + 1));
        break;
      }
    }
    return v;
  }

  cs::ClassSpec spec() {
    cs::ClassSpec s;
    uint8_t tt = byte();
    if (tt > 2) fail();
    s.table_type = static_cast<cs::TableType>(tt);
    if (flag()) {
      cs::PrimaryKeySpec pk;
      pk.field = bytes();
      pk.type = type();
      pk.nullable = flag();
      s.primary_key = pk;
    }
    s.orphaned_objects = uint();
    uint64_t n = count();
    for (uint64_t i = 0; ok_ && i < n; ++i) {
      std::string name = bytes();
      cs::ColumnSpec c;
      c.type = type();
      c.nullable = flag();
      uint8_t coll = byte();
      if (coll > 3) fail();
      c.collection = static_cast<cs::CollectionType>(coll);
      c.link_target = bytes();
      s.columns[std::move(name)] = std::move(c);
    }
    return s;
  }

 private:
  cs::Type type() {
    auto t = static_cast<int8_t>(byte());
    if (t < cs::kMinType || t > cs::kMaxType) fail();
    return static_cast<cs::Type>(t);
  }
  uint8_t fail() {
    ok_ = false;
    return 0;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

std::string encode_object_key(const cs::ObjectKey& key) {
  Writer w;
  w.key(key);
  return std::move(w.out);
}

std::optional<cs::ObjectKey> decode_object_key(std::string_view bytes) {
  Reader r(bytes);
  auto key = r.key();
  if (!r.done()) return std::nullopt;
  return key;
}

std::string encode_object(const cs::Object& object) {
  Writer w;
  w.fields(object);
  return std::move(w.out);
}

std::optional<cs::Object> decode_object(std::string_view bytes) {
  Reader r(bytes);
  auto object = r.fields(0);
  if (!r.done()) return std::nullopt;
  return object;
}

std::string encode_class_spec(const cs::ClassSpec& spec) {
  Writer w;
  w.spec(spec);
  return std::move(w.out);
}

std::optional<cs::ClassSpec> decode_class_spec(std::string_view bytes) {
  Reader r(bytes);
  auto spec = r.spec();
  if (!r.done()) return std::nullopt;
  return spec;
}

}  // namespace ros::sync::store
