// The instruction loop, lookups shared by every instruction, and apply().
#include "sync/changeset/applier_impl.hpp"

namespace ros::sync::changeset::detail {

Result<void> Applier::run() {
  for (std::size_t n = 0; n < cs_.instructions.size(); ++n) {
    const Instruction& in = cs_.instructions[n];
    const bool ok = std::visit([&](const auto& i) { return apply(i); }, in);
    if (!ok) {
      if (storage_) return *storage_;
      return make_error(Errc::invalid_argument, "bad changeset: instruction " + std::to_string(n) +
                                                    " (" + instruction_name(in) + "): " + reason_);
    }
  }
  if (!flush()) return *storage_;
  return {};
}

bool Applier::cached(const std::string& cls, const ObjectKey& key, CachedObject*& out) {
  auto it = cache_.find({cls, key});
  if (it == cache_.end()) {
    std::optional<Object> obj;
    if (!take(st_.get_object(cls, key), obj)) return false;
    it = cache_.emplace(std::make_pair(cls, key), CachedObject{std::move(obj), false}).first;
  }
  out = &it->second;
  return true;
}

bool Applier::flush() {
  for (auto& [id, entry] : cache_) {
    if (!entry.dirty) continue;
    const bool ok = entry.object ? take(st_.put_object(id.first, id.second, *entry.object))
                                 : take(st_.erase_object(id.first, id.second));
    if (!ok) return false;
  }
  cache_.clear();
  return true;
}

bool Applier::bc(std::string reason) {
  reason_ = std::move(reason);
  return false;
}

bool Applier::take(Result<void> r) {
  if (!r) {
    storage_ = r.error();
    return false;
  }
  return true;
}

ObjectKey Applier::to_key(const PrimaryKey& pk) const {
  return std::visit(
      [&](const auto& v) -> ObjectKey {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, InternRef>) {
          return str(v);
        } else {
          return v;
        }
      },
      pk);
}

Value Applier::key_value(const ObjectKey& key) {
  Value v;
  std::visit(
      [&](const auto& k) {
        using T = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<T, int64_t>) {
          v.kind = K::Int;
          v.int_value = k;
        } else if constexpr (std::is_same_v<T, std::string>) {
          v.kind = K::String;
          v.bytes = k;
        } else if constexpr (std::is_same_v<T, ObjectId>) {
          v.kind = K::ObjectId;
          v.object_id = k;
        } else if constexpr (std::is_same_v<T, Uuid>) {
          v.kind = K::UUID;
          v.uuid = k;
        }
      },
      key);
  return v;
}

bool Applier::find_class(const std::string& name, std::optional<ClassSpec>& out) {
  return take(st_.get_class(name), out);
}

bool Applier::load_class(const std::string& name, ClassSpec& out) {
  std::optional<ClassSpec> c;
  if (!find_class(name, c)) return false;
  if (!c) return bc("table '" + name + "' does not exist");
  out = std::move(*c);
  return true;
}

bool Applier::check_key(const std::string& name, const ClassSpec& cls, const PrimaryKey& pk) {
  const auto& spec = cls.primary_key;
  bool fits = false;
  switch (pk.index()) {
    case 0:
      fits = spec && spec->nullable;
      break;
    case 1:
      fits = spec && spec->type == Type::Int;
      break;
    case 2:
      fits = spec && spec->type == Type::String;
      break;
    case 3:
      fits = spec && spec->type == Type::ObjectId;
      break;
    case 4:
      fits = spec && spec->type == Type::UUID;
      break;
    default:
      fits = !spec;
      break;
  }
  if (!fits) return bc("the object key does not fit the primary key of table '" + name + "'");
  return true;
}

}  // namespace ros::sync::changeset::detail

namespace ros::sync::changeset {

Result<void> apply(State& state, const Changeset& changeset) {
  return apply(state, changeset, ApplyOptions{});
}

Result<void> apply(State& state, const Changeset& changeset, const ApplyOptions& options) {
  if (auto r = state.begin(); !r) return r;
  auto result = detail::Applier(state, changeset, options).run();
  if (!result) {
    if (auto r = state.rollback(); !r) return r;
    return result;
  }
  return state.commit();
}

}  // namespace ros::sync::changeset
