#include "sync/changeset/state_json.hpp"

#include "sync/changeset/decimal.hpp"

namespace ros::sync::changeset {

namespace {

using K = Value::Kind;

class Dumper {
 public:
  explicit Dumper(const State& state) : st_(state) {}

  Result<Json> run() {
    auto names = st_.class_names();
    if (!names) return names.error();
    for (const auto& name : *names) {
      auto spec = st_.get_class(name);
      if (!spec) return spec.error();
      if (*spec) specs_[name] = **spec;
    }
    // Embedded objects are counted while their owners are rendered.
    std::map<std::string, Json> rendered;
    for (const auto& [name, spec] : specs_) {
      if (spec.embedded()) continue;
      Json objects = Json::array();
      auto keys = st_.object_keys(name);
      if (!keys) return keys.error();
      for (const auto& key : *keys) {
        auto obj = st_.get_object(name, key);
        if (!obj) return obj.error();
        if (!*obj) continue;
        Json j = object(**obj, spec);
        if (!spec.primary_key) {
          j["_globalKey"] = object_key_to_json(key);
          sort_members(j);
        }
        objects.push_back(std::move(j));
      }
      if (error_) return *error_;
      rendered[name] = std::move(objects);
    }
    Json classes = Json::object();
    for (const auto& [name, spec] : specs_) {
      Json c = Json::object();
      c["embedded"] = spec.embedded();
      if (spec.primary_key) {
        Json pk = Json::object();
        pk["field"] = spec.primary_key->field;
        pk["type"] = type_name(spec.primary_key->type);
        pk["nullable"] = spec.primary_key->nullable;
        c["primaryKey"] = std::move(pk);
      } else {
        c["primaryKey"] = nullptr;
      }
      Json columns = Json::object();
      for (const auto& [field, col] : spec.columns) {
        Json cj = Json::object();
        cj["type"] = column_type_name(col.type);
        cj["nullable"] = col.nullable;
        cj["collection"] = collection_type_name(col.collection);
        if (col.type == Type::Link) cj["linkTarget"] = col.link_target;
        columns[field] = std::move(cj);
      }
      c["columns"] = std::move(columns);
      if (spec.embedded()) {
        c["objectCount"] = counts_[name] + spec.orphaned_objects;
      } else {
        c["objects"] = std::move(rendered[name]);
      }
      classes[name] = std::move(c);
    }
    Json out = Json::object();
    out["classes"] = std::move(classes);
    return out;
  }

 private:
  static void sort_members(Json& j) {
    std::map<std::string, Json> sorted;
    for (auto& [k, v] : j.items()) sorted[k] = v;
    j = Json::object();
    for (auto& [k, v] : sorted) j[k] = std::move(v);
  }

  static bool is_unresolved(const Json& j) {
    return j.is_object() && j.contains("link") && j["link"].contains("unresolved");
  }

  Json object(const Object& fields, const ClassSpec& spec) {
    Json j = Json::object();
    for (const auto& [field, col] : spec.columns) {
      auto it = fields.find(field);
      const Value v = it != fields.end() ? it->second : default_value(col);
      Json rendered =
          value(v, col.type == Type::Link ? &col.link_target : nullptr, col.type == Type::Null);
      // A link or Mixed property holding a link to a missing object reads as
      // null in realm-core (Obj::_get<ObjKey>, Obj::_get<Mixed>).
      if (col.collection == CollectionType::Single && is_unresolved(rendered)) {
        rendered = nullptr;
      }
      j[field] = std::move(rendered);
    }
    return j;
  }

  // `target`: the link target class of the column holding v, if any.
  // `mixed`: v sits in a Mixed property or collection (nested ones included).
  Json value(const Value& v, const std::string* target, bool mixed) {
    switch (v.kind) {
      case K::Null:
        return nullptr;
      case K::Int:
        return Json{{"int", v.int_value}};
      case K::Bool:
        return Json{{"bool", v.bool_value}};
      case K::String:
        return Json{{"string", v.bytes}};
      case K::Binary:
        return Json{{"binary", base64_encode(v.bytes)}};
      case K::Timestamp:
        return Json{{"timestamp", timestamp_to_json(v.timestamp)}};
      case K::Float:
        return Json{{"float", double_to_json(static_cast<double>(v.float_value))}};
      case K::Double:
        return Json{{"double", double_to_json(v.double_value)}};
      case K::Decimal:
        return Json{{"decimal", decimal_to_string(v.decimal)}};
      case K::ObjectId:
        return Json{{"objectId", object_id_to_string(v.object_id)}};
      case K::UUID:
        return Json{{"uuid", uuid_to_string(v.uuid)}};
      case K::Link: {
        Json link = Json::object();
        link["table"] = v.link_table;
        auto exists = st_.has_object(v.link_table, v.link_key);
        if (!exists) {
          error_ = exists.error();
        } else if (*exists) {
          link["pk"] = object_key_to_json(v.link_key);
        } else {
          link["unresolved"] = true;
        }
        return Json{{"link", std::move(link)}};
      }
      case K::Embedded: {
        Json fields = Json::object();
        auto it = target ? specs_.find(*target) : specs_.end();
        if (it != specs_.end()) {
          ++counts_[*target];
          fields = object(v.fields, it->second);
        }
        return Json{{"embeddedObject", std::move(fields)}};
      }
      case K::List:
      case K::Set: {
        Json items = Json::array();
        for (const auto& e : v.items) {
          Json item = value(e, target, mixed);
          // realm-core's Lst<Mixed> reads an unresolved typed link as null
          // (unresolved_to_null); other collections expose it.
          if (mixed && v.kind == K::List && is_unresolved(item)) item = nullptr;
          items.push_back(std::move(item));
        }
        return Json{{v.kind == K::List ? "list" : "set", std::move(items)}};
      }
      case K::Dictionary: {
        Json entries = Json::object();
        for (const auto& [k, e] : v.fields) entries[k] = value(e, target, mixed);
        return Json{{"dictionary", std::move(entries)}};
      }
    }
    return nullptr;
  }

  const State& st_;
  std::map<std::string, ClassSpec> specs_;
  std::map<std::string, uint64_t> counts_;
  std::optional<Error> error_;
};

}  // namespace

Json object_key_to_json(const ObjectKey& key) {
  return std::visit(
      [](const auto& v) -> Json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Null>) {
          return nullptr;
        } else if constexpr (std::is_same_v<T, int64_t>) {
          return Json{{"int", v}};
        } else if constexpr (std::is_same_v<T, std::string>) {
          return Json{{"string", v}};
        } else if constexpr (std::is_same_v<T, ObjectId>) {
          return Json{{"objectId", object_id_to_string(v)}};
        } else if constexpr (std::is_same_v<T, Uuid>) {
          return Json{{"uuid", uuid_to_string(v)}};
        } else {
          return Json{{"globalKey", global_key_to_json(v)}};
        }
      },
      key);
}

Result<Json> state_to_json(const State& state) { return Dumper(state).run(); }

}  // namespace ros::sync::changeset
