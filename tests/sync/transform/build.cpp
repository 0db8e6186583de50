#include "build.hpp"

#include "sync/changeset/changeset_json.hpp"

namespace ros::test::transform {

cs::Payload Int(int64_t v) {
  cs::Payload p;
  p.type = cs::Type::Int;
  p.int_value = v;
  return p;
}

cs::Payload Str(std::string v) {
  cs::Payload p;
  p.type = cs::Type::String;
  p.bytes = std::move(v);
  return p;
}

cs::Payload Of(cs::Type type) {
  cs::Payload p;
  p.type = type;
  return p;
}

cs::Payload LinkTo(Changeset& in, const std::string& table, int64_t pk) {
  cs::Payload p;
  p.type = cs::Type::Link;
  p.link.table = in.s(table);
  p.link.target = pk;
  return p;
}

cs::InternRef Changeset::s(const std::string& text) {
  auto& strings = m.changeset.strings;
  for (std::size_t i = 0; i < strings.size(); ++i)
    if (strings[i] == text) return cs::InternRef{static_cast<uint32_t>(i)};
  strings.push_back(text);
  return cs::InternRef{static_cast<uint32_t>(strings.size() - 1)};
}

cs::PathPrefix Changeset::prefix(const At& at) {
  cs::PathPrefix p;
  p.table = s(at.table);
  p.object = at.pk;
  p.field = s(at.field);
  for (const auto& e : at.path) {
    if (const auto* i = std::get_if<uint32_t>(&e.v)) {
      p.path.emplace_back(*i);
    } else {
      p.path.emplace_back(s(std::get<std::string>(e.v)));
    }
  }
  return p;
}

Changeset& Changeset::push(cs::Instruction in) {
  m.changeset.instructions.push_back(std::move(in));
  return *this;
}

Changeset& Changeset::add_table(const std::string& name, const std::string& pk, cs::Type pk_type) {
  cs::AddTable t;
  t.table = s(name);
  t.pk_field = s(pk);
  t.pk_type = pk_type;
  return push(t);
}

Changeset& Changeset::erase_table(const std::string& name) { return push(cs::EraseTable{s(name)}); }

Changeset& Changeset::add_column(const std::string& table, const std::string& field, cs::Type type,
                                 bool nullable, const std::string& link_target) {
  cs::AddColumn c;
  c.table = s(table);
  c.field = s(field);
  c.type = type;
  c.nullable = nullable;
  if (type == cs::Type::Link) c.link_target = s(link_target);
  return push(c);
}

Changeset& Changeset::add_list(const std::string& table, const std::string& field, cs::Type type) {
  cs::AddColumn c;
  c.table = s(table);
  c.field = s(field);
  c.type = type;
  c.collection_type = cs::CollectionType::List;
  return push(c);
}

Changeset& Changeset::erase_column(const std::string& table, const std::string& field) {
  return push(cs::EraseColumn{s(table), s(field)});
}

Changeset& Changeset::create(const std::string& table, int64_t pk) {
  return push(cs::CreateObject{s(table), pk});
}

Changeset& Changeset::erase(const std::string& table, int64_t pk) {
  return push(cs::EraseObject{s(table), pk});
}

Changeset& Changeset::set(const At& at, cs::Payload v, bool is_default) {
  cs::Update u;
  u.prefix = prefix(at);
  u.value = std::move(v);
  u.is_default = is_default;
  return push(u);
}

Changeset& Changeset::set_at(const At& at, cs::Payload v, uint32_t prior) {
  cs::Update u;
  u.prefix = prefix(at);
  u.value = std::move(v);
  u.prior_size = prior;
  return push(u);
}

Changeset& Changeset::add(const At& at, int64_t v) { return push(cs::AddInteger{prefix(at), v}); }

Changeset& Changeset::insert(const At& at, cs::Payload v, uint32_t prior) {
  return push(cs::ArrayInsert{prefix(at), std::move(v), prior});
}

Changeset& Changeset::move(const At& at, uint32_t to, uint32_t prior) {
  return push(cs::ArrayMove{prefix(at), to, prior});
}

Changeset& Changeset::remove(const At& at, uint32_t prior) {
  return push(cs::ArrayErase{prefix(at), prior});
}

Changeset& Changeset::clear(const At& at, cs::CollectionType type) {
  return push(cs::Clear{prefix(at), type});
}

Changeset& Changeset::set_insert(const At& at, cs::Payload v) {
  return push(cs::SetInsert{prefix(at), std::move(v)});
}

Changeset& Changeset::set_erase(const At& at, cs::Payload v) {
  return push(cs::SetErase{prefix(at), std::move(v)});
}

std::string text(const MergeChangeset& c) {
  return cs::to_json(c.changeset)["instructions"].dump();
}

namespace {

Merged run(MergeChangeset history, MergeChangeset incoming, bool a_is_history) {
  auto r = ros::sync::transform::merge(std::span<MergeChangeset>(&history, 1),
                                       std::span<MergeChangeset>(&incoming, 1));
  if (!r) return {"error: " + r.error().message, "error: " + r.error().message};
  if (a_is_history) return {text(history), text(incoming)};
  return {text(incoming), text(history)};
}

}  // namespace

Merged merge_major_a(const Changeset& a, const Changeset& b) { return run(a.m, b.m, true); }

Merged merge_major_b(const Changeset& a, const Changeset& b) { return run(b.m, a.m, false); }

}  // namespace ros::test::transform
