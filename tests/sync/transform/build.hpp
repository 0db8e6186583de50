// Test helper: changesets written as code, with strings interned on first
// use, and the merge run in both role assignments.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sync/changeset/instruction.hpp"
#include "sync/transform/merge.hpp"

namespace ros::test::transform {

namespace cs = ros::sync::changeset;
using ros::sync::transform::MergeChangeset;

// A path element: a list index or a key / embedded field name.
struct E {
  E(int i) : v(static_cast<uint32_t>(i)) {}  // NOLINT: implicit by design
  E(const char* s) : v(std::string(s)) {}    // NOLINT: implicit by design
  std::variant<uint32_t, std::string> v;
};

// T[pk].field<path>, with an int primary key.
struct At {
  At(std::string t, int64_t k, std::string f, std::vector<E> p = {})
      : table(std::move(t)), pk(k), field(std::move(f)), path(std::move(p)) {}
  std::string table;
  int64_t pk = 0;
  std::string field;
  std::vector<E> path;
};

cs::Payload Int(int64_t v);
cs::Payload Str(std::string v);
cs::Payload Of(cs::Type type);  // Null, List, Dictionary, ObjectValue, Erased
cs::Payload LinkTo(class Changeset& in, const std::string& table, int64_t pk);

class Changeset {
 public:
  explicit Changeset(uint64_t timestamp, uint64_t file = 2) {
    m.origin_timestamp = timestamp;
    m.origin_file_ident = file;
  }

  cs::InternRef s(const std::string& text);

  Changeset& add_table(const std::string& name, const std::string& pk = "_id",
                       cs::Type pk_type = cs::Type::Int);
  Changeset& erase_table(const std::string& name);
  Changeset& add_column(const std::string& table, const std::string& field, cs::Type type,
                        bool nullable = false, const std::string& link_target = "");
  Changeset& add_list(const std::string& table, const std::string& field, cs::Type type);
  Changeset& erase_column(const std::string& table, const std::string& field);
  Changeset& create(const std::string& table, int64_t pk);
  Changeset& erase(const std::string& table, int64_t pk);
  Changeset& set(const At& at, cs::Payload v, bool is_default = false);
  Changeset& set_at(const At& at, cs::Payload v, uint32_t prior);  // array update
  Changeset& add(const At& at, int64_t v);
  Changeset& insert(const At& at, cs::Payload v, uint32_t prior);
  Changeset& move(const At& at, uint32_t to, uint32_t prior);
  Changeset& remove(const At& at, uint32_t prior);
  Changeset& clear(const At& at, cs::CollectionType type);
  Changeset& set_insert(const At& at, cs::Payload v);
  Changeset& set_erase(const At& at, cs::Payload v);

  MergeChangeset m;

 private:
  cs::PathPrefix prefix(const At& at);
  Changeset& push(cs::Instruction in);
};

// The instructions as one line of JSON (names resolved).
std::string text(const MergeChangeset& c);

struct Merged {
  std::string a;  // A' as text, or "error: ..." when the merge failed
  std::string b;  // B'
};

// A as history (major) and B as incoming (minor), copies of both.
Merged merge_major_a(const Changeset& a, const Changeset& b);
// The client's view: B as history, A as incoming.
Merged merge_major_b(const Changeset& a, const Changeset& b);

}  // namespace ros::test::transform
