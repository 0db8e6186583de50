#include "sync/transform/string_buffer.hpp"

#include <algorithm>
#include <optional>

namespace ros::sync::transform {

using namespace changeset;

namespace {

const Payload* payload_of(const Instruction& in) {
  return std::visit(
      [](const auto& i) -> const Payload* {
        if constexpr (requires { i.value.type; }) {
          return &i.value;
        } else {
          return nullptr;
        }
      },
      in);
}

// Calls f with every interned string an instruction refers to.
template <class F>
void for_each_ref(const Instruction& in, F f) {
  auto key = [&](const PrimaryKey& k) {
    if (const auto* r = std::get_if<InternRef>(&k)) f(*r);
  };
  std::visit(
      [&](const auto& i) {
        using T = std::decay_t<decltype(i)>;
        if constexpr (requires { i.prefix; }) {
          f(i.prefix.table);
          key(i.prefix.object);
          f(i.prefix.field);
          for (const auto& e : i.prefix.path)
            if (const auto* r = std::get_if<InternRef>(&e)) f(*r);
        } else {
          f(i.table);
          if constexpr (std::is_same_v<T, AddTable>) {
            if (i.table_type != TableType::Embedded) f(i.pk_field);
          } else if constexpr (std::is_same_v<T, CreateObject> || std::is_same_v<T, EraseObject>) {
            key(i.object);
          } else if constexpr (std::is_same_v<T, AddColumn>) {
            f(i.field);
            if (i.link_target) f(*i.link_target);
          } else if constexpr (std::is_same_v<T, EraseColumn>) {
            f(i.field);
          }
        }
      },
      in);
  if (const auto* p = payload_of(in); p && p->type == Type::Link) {
    f(p->link.table);
    key(p->link.target);
  }
}

// How many strings are declared before each instruction in the streaming
// layout (the client's rule; see encoder.hpp).
std::vector<uint32_t> streaming_declarations(const Changeset& cs) {
  const auto n = static_cast<uint32_t>(cs.strings.size());
  std::vector<bool> referenced(n, false);
  std::vector<int64_t> need(cs.instructions.size(), -1);
  std::optional<uint32_t> empty_index;
  for (uint32_t i = 0; i < n; ++i)
    if (cs.strings[i].empty()) empty_index = i;
  for (std::size_t k = 0; k < cs.instructions.size(); ++k) {
    for_each_ref(cs.instructions[k], [&](InternRef r) {
      need[k] = std::max<int64_t>(need[k], r.index);
      if (r.index < n) referenced[r.index] = true;
    });
  }
  std::vector<uint32_t> declared_before(cs.instructions.size());
  uint32_t declared = 0;
  for (std::size_t k = 0; k < cs.instructions.size(); ++k) {
    const Instruction& in = cs.instructions[k];
    int64_t want = need[k];
    if (const auto* col = std::get_if<AddColumn>(&in); col && !col->link_target && empty_index)
      want = std::max<int64_t>(want, *empty_index);  // the client interns "" as no link target
    if (want < static_cast<int64_t>(declared)) {
      // Unreferenced strings waiting at the front go with an instruction
      // that reaches into an object through a string.
      const PathPrefix* p = std::visit(
          [](const auto& i) -> const PathPrefix* {
            if constexpr (requires { i.prefix; }) {
              return &i.prefix;
            } else {
              return nullptr;
            }
          },
          in);
      if (p && std::any_of(p->path.begin(), p->path.end(), [](const PathElement& e) {
            return std::holds_alternative<InternRef>(e);
          })) {
        uint32_t i = declared;
        while (i < n && !referenced[i] && !cs.strings[i].empty()) ++i;
        want = static_cast<int64_t>(i) - 1;
      }
    }
    while (static_cast<int64_t>(declared) <= want && declared < n) ++declared;
    declared_before[k] = declared;
  }
  return declared_before;
}

}  // namespace

std::vector<uint64_t> payload_offsets(const Changeset& cs, Layout layout) {
  std::vector<uint32_t> declared_before;
  if (layout == Layout::streaming) {
    declared_before = streaming_declarations(cs);
  } else {
    declared_before.assign(cs.instructions.size(), static_cast<uint32_t>(cs.strings.size()));
  }
  std::vector<uint64_t> offsets(cs.instructions.size(), 0);
  uint64_t payload_bytes = 0;  // String/Binary payloads read so far
  uint64_t strings_bytes = 0;  // interned strings declared so far
  uint32_t declared = 0;
  for (std::size_t k = 0; k < cs.instructions.size(); ++k) {
    for (; declared < declared_before[k]; ++declared) strings_bytes += cs.strings[declared].size();
    const Payload* p = payload_of(cs.instructions[k]);
    if (p && (p->type == Type::String || p->type == Type::Binary)) {
      offsets[k] = strings_bytes + payload_bytes;
      payload_bytes += p->bytes.size();
    }
  }
  return offsets;
}

}  // namespace ros::sync::transform
