#include "sync/transform/interaction.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <iterator>
#include <type_traits>
#include <variant>

#include "sync/transform/nested.hpp"
#include "sync/transform/pair_rules.hpp"
#include "sync/transform/predicates.hpp"

namespace ros::sync::transform {

using namespace changeset;

uint32_t StringIds::id(std::string_view text) {
  auto [it, added] = ids_.try_emplace(std::string(text), static_cast<uint32_t>(ids_.size() + 1));
  return it->second;
}

uint32_t ChangesetStrings::id(StringIds& ids, const Changeset& cs, InternRef ref) {
  if (ref.index >= cs.strings.size()) return 0;
  if (ref.index >= resolved_.size()) resolved_.resize(cs.strings.size(), 0);
  uint32_t& slot = resolved_[ref.index];
  if (slot == 0) slot = ids.id(cs.strings[ref.index]);
  return slot;
}

namespace {

uint64_t mix(uint64_t h, uint64_t v) {
  // splitmix64's finaliser over the running hash: cheap, and spreads
  // neighbouring integer keys.
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

template <std::size_t N>
uint64_t mix_bytes(uint64_t h, const std::array<uint8_t, N>& bytes) {
  for (uint8_t b : bytes) h = mix(h, b);
  return h;
}

}  // namespace

Footprint footprint(const Instruction& instruction, StringIds& ids, ChangesetStrings& strings,
                    const Changeset& cs) {
  Footprint f;
  f.code = static_cast<uint8_t>(instruction.index());
  f.length = static_cast<uint32_t>(path_length(instruction));
  auto resolve = [&](InternRef ref) {
    uint32_t id = strings.id(ids, cs, ref);
    if (id == 0) f.wild = true;
    return id;
  };
  auto key_hash = [&](const PrimaryKey& key) {
    uint64_t h = mix(0, key.index());
    if (const auto* i = std::get_if<int64_t>(&key)) return mix(h, static_cast<uint64_t>(*i));
    if (const auto* s = std::get_if<InternRef>(&key)) return mix(h, resolve(*s));
    if (const auto* o = std::get_if<ObjectId>(&key)) return mix_bytes(h, o->bytes);
    if (const auto* u = std::get_if<Uuid>(&key)) return mix_bytes(h, u->bytes);
    if (const auto* g = std::get_if<GlobalKey>(&key)) return mix(mix(h, g->hi), g->lo);
    return h;  // Null
  };
  std::visit(
      [&](const auto& in) {
        using T = std::decay_t<decltype(in)>;
        if constexpr (requires { in.prefix; }) {
          f.table = resolve(in.prefix.table);
          f.object = key_hash(in.prefix.object);
          f.field = resolve(in.prefix.field);
        } else if constexpr (std::is_same_v<T, CreateObject> || std::is_same_v<T, EraseObject>) {
          f.table = resolve(in.table);
          f.object = key_hash(in.object);
        } else {
          f.schema = true;
          f.table = resolve(in.table);
        }
      },
      instruction);
  return f;
}

bool types_may_interact(const Footprint& a, const Footprint& b) {
  if (a.length < b.length && has_nested_rule(a.code)) return true;
  if (b.length < a.length && has_nested_rule(b.code)) return true;
  return has_pair_rule(a.code, b.code);
}

void ChangesetKeys::add(const ChangesetKeys& other) {
  schema = schema || other.schema;
  keys.insert(keys.end(), other.keys.begin(), other.keys.end());
}

void ChangesetKeys::normalize() {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
}

ChangesetKeys changeset_keys(const Changeset& cs) {
  ChangesetKeys out;
  // Hashed by content, so that the keys of two changesets compare. A string
  // outside the table (never in a parsed changeset) makes the changeset
  // interact with everything, as a wild footprint does.
  auto content = [&](InternRef ref) -> uint64_t {
    if (ref.index >= cs.strings.size()) {
      out.schema = true;
      return 0;
    }
    return std::hash<std::string_view>{}(cs.strings[ref.index]);
  };
  auto key_hash = [&](InternRef table, const PrimaryKey& key) {
    uint64_t h = mix(mix(0, content(table)), key.index());
    if (const auto* i = std::get_if<int64_t>(&key)) return mix(h, static_cast<uint64_t>(*i));
    if (const auto* s = std::get_if<InternRef>(&key)) return mix(h, content(*s));
    if (const auto* o = std::get_if<ObjectId>(&key)) return mix_bytes(h, o->bytes);
    if (const auto* u = std::get_if<Uuid>(&key)) return mix_bytes(h, u->bytes);
    if (const auto* g = std::get_if<GlobalKey>(&key)) return mix(mix(h, g->hi), g->lo);
    return h;  // Null
  };
  out.keys.reserve(cs.instructions.size());
  for (const auto& instruction : cs.instructions) {
    ChangesetKeys::Key k;
    k.code = static_cast<uint8_t>(instruction.index());
    k.length = static_cast<uint32_t>(path_length(instruction));
    std::visit(
        [&](const auto& in) {
          using T = std::decay_t<decltype(in)>;
          if constexpr (requires { in.prefix; }) {
            k.object = key_hash(in.prefix.table, in.prefix.object);
            (void)content(in.prefix.field);
            out.keys.push_back(k);
          } else if constexpr (std::is_same_v<T, CreateObject> || std::is_same_v<T, EraseObject>) {
            k.object = key_hash(in.table, in.object);
            out.keys.push_back(k);
          } else {
            out.schema = true;
          }
        },
        instruction);
  }
  out.normalize();
  return out;
}

bool may_interact(const ChangesetKeys& a, const ChangesetKeys& b) {
  if (a.schema || b.schema) return true;
  auto i = a.keys.begin();
  auto j = b.keys.begin();
  while (i != a.keys.end() && j != b.keys.end()) {
    if (i->object < j->object) {
      ++i;
    } else if (j->object < i->object) {
      ++j;
    } else {
      // The same object (or a hash collision, which only costs a merge):
      // do any of their types meet in a rule?
      const uint64_t object = i->object;
      auto i_end = i;
      while (i_end != a.keys.end() && i_end->object == object) ++i_end;
      auto j_end = j;
      while (j_end != b.keys.end() && j_end->object == object) ++j_end;
      for (auto x = i; x != i_end; ++x) {
        for (auto y = j; y != j_end; ++y) {
          Footprint fx, fy;
          fx.code = x->code;
          fx.length = x->length;
          fy.code = y->code;
          fy.length = y->length;
          if (types_may_interact(fx, fy)) return true;
        }
      }
      i = i_end;
      j = j_end;
    }
  }
  return false;
}

}  // namespace ros::sync::transform
