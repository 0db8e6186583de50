#include "sync/changeset/changeset_json.hpp"

#include <unordered_map>

#include "sync/changeset/decimal.hpp"

namespace ros::sync::changeset {

std::string dump(const Json& json) {
  return json.dump(2, ' ', false, Json::error_handler_t::replace);
}

Json primary_key_to_json(const Changeset& cs, const PrimaryKey& key) {
  return std::visit(
      [&](const auto& v) -> Json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Null>) {
          return nullptr;
        } else if constexpr (std::is_same_v<T, int64_t>) {
          return Json{{"int", v}};
        } else if constexpr (std::is_same_v<T, InternRef>) {
          return Json{{"string", cs.str(v)}};
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

Json payload_to_json(const Changeset& cs, const Payload& v) {
  switch (v.type) {
    case Type::Null:
    case Type::GlobalKey:
      return nullptr;
    case Type::Int:
      return Json{{"int", v.int_value}};
    case Type::Bool:
      return Json{{"bool", v.bool_value}};
    case Type::String:
      return Json{{"string", v.bytes}};
    case Type::Binary:
      return Json{{"binary", base64_encode(v.bytes)}};
    case Type::Timestamp:
      return Json{{"timestamp", timestamp_to_json(v.timestamp)}};
    case Type::Float:
      return Json{{"float", double_to_json(static_cast<double>(v.float_value))}};
    case Type::Double:
      return Json{{"double", double_to_json(v.double_value)}};
    case Type::Decimal:
      return Json{{"decimal", decimal_to_string(v.decimal)}};
    case Type::Link: {
      Json link = Json::object();
      link["table"] = cs.str(v.link.table);
      link["pk"] = primary_key_to_json(cs, v.link.target);
      return Json{{"link", link}};
    }
    case Type::ObjectId:
      return Json{{"objectId", object_id_to_string(v.object_id)}};
    case Type::UUID:
      return Json{{"uuid", uuid_to_string(v.uuid)}};
    case Type::ObjectValue:
      return Json{{"embeddedObject", Json::object()}};
    case Type::List:
      return Json{{"list", Json::array()}};
    case Type::Dictionary:
      return Json{{"dictionary", Json::object()}};
    case Type::Set:
      return Json{{"set", Json::array()}};
    case Type::Erased:
      return Json{{"erased", Json::object()}};
  }
  return nullptr;
}

namespace {

void put_prefix(Json& j, const Changeset& cs, const PathPrefix& p) {
  j["table"] = cs.str(p.table);
  j["object"] = primary_key_to_json(cs, p.object);
  j["field"] = cs.str(p.field);
  Json path = Json::array();
  for (const auto& e : p.path) {
    if (const auto* index = std::get_if<uint32_t>(&e)) {
      path.push_back(*index);
    } else {
      path.push_back(cs.str(std::get<InternRef>(e)));
    }
  }
  j["path"] = std::move(path);
}

Json instruction_to_json(const Changeset& cs, const Instruction& instruction) {
  Json j = Json::object();
  j["type"] = instruction_name(instruction);
  std::visit(
      [&](const auto& in) {
        using T = std::decay_t<decltype(in)>;
        if constexpr (std::is_same_v<T, AddTable>) {
          j["table"] = cs.str(in.table);
          j["embedded"] = in.table_type == TableType::Embedded;
          if (in.table_type != TableType::Embedded) {
            Json pk = Json::object();
            pk["field"] = cs.str(in.pk_field);
            pk["type"] = type_name(in.pk_type);
            pk["nullable"] = in.pk_nullable;
            j["primaryKey"] = std::move(pk);
            j["asymmetric"] = in.table_type == TableType::TopLevelAsymmetric;
          }
        } else if constexpr (std::is_same_v<T, EraseTable>) {
          j["table"] = cs.str(in.table);
        } else if constexpr (std::is_same_v<T, CreateObject> || std::is_same_v<T, EraseObject>) {
          j["table"] = cs.str(in.table);
          j["object"] = primary_key_to_json(cs, in.object);
        } else if constexpr (std::is_same_v<T, AddColumn>) {
          j["table"] = cs.str(in.table);
          j["field"] = cs.str(in.field);
          j["valueType"] = column_type_name(in.type);
          j["nullable"] = in.nullable;
          j["collectionType"] = collection_type_name(in.collection_type);
          if (in.key_type) j["keyType"] = type_name(*in.key_type);
          if (in.link_target) j["linkTarget"] = cs.str(*in.link_target);
        } else if constexpr (std::is_same_v<T, EraseColumn>) {
          j["table"] = cs.str(in.table);
          j["field"] = cs.str(in.field);
        } else if constexpr (std::is_same_v<T, Update>) {
          put_prefix(j, cs, in.prefix);
          j["value"] = payload_to_json(cs, in.value);
          if (ends_in_index(in.prefix.path)) {
            j["priorSize"] = in.prior_size;
          } else {
            j["isDefault"] = in.is_default;
          }
        } else if constexpr (std::is_same_v<T, AddInteger>) {
          put_prefix(j, cs, in.prefix);
          j["value"] = in.value;
        } else if constexpr (std::is_same_v<T, ArrayInsert>) {
          put_prefix(j, cs, in.prefix);
          j["value"] = payload_to_json(cs, in.value);
          j["priorSize"] = in.prior_size;
        } else if constexpr (std::is_same_v<T, ArrayMove>) {
          put_prefix(j, cs, in.prefix);
          j["newIndex"] = in.ndx_2;
          j["priorSize"] = in.prior_size;
        } else if constexpr (std::is_same_v<T, ArrayErase>) {
          put_prefix(j, cs, in.prefix);
          j["priorSize"] = in.prior_size;
        } else if constexpr (std::is_same_v<T, Clear>) {
          put_prefix(j, cs, in.prefix);
          j["collectionType"] = collection_type_name(in.collection_type);
        } else {  // SetInsert, SetErase
          put_prefix(j, cs, in.prefix);
          j["value"] = payload_to_json(cs, in.value);
        }
      },
      instruction);
  return j;
}

// Reads one changeset document; the first problem wins.
class JsonReader {
 public:
  Result<Changeset> run(const Json& doc) {
    if (!doc.is_object()) return bad("the document is not a JSON object");
    if (doc.contains("parseError")) return bad("the document records a parse error");
    if (!doc.contains("instructions") || !doc["instructions"].is_array()) {
      return bad("missing array \"instructions\"");
    }
    if (!doc.contains("internStrings") || !doc["internStrings"].is_array()) {
      return bad("missing array \"internStrings\"");
    }
    for (const auto& s : doc["internStrings"]) {
      if (!s.is_string()) return bad("\"internStrings\" holds a non-string");
      const auto& text = s.get_ref<const std::string&>();
      if (!index_.emplace(text, static_cast<uint32_t>(cs_.strings.size())).second) {
        return bad("\"internStrings\" holds \"" + text + "\" twice");
      }
      cs_.strings.push_back(text);
    }
    std::size_t n = 0;
    for (const auto& j : doc["instructions"]) {
      where_ = "instruction " + std::to_string(n++);
      Instruction in;
      if (!instruction(j, in)) return bad(error_);
      cs_.instructions.push_back(std::move(in));
    }
    return std::move(cs_);
  }

 private:
  Error bad(const std::string& message) {
    return make_error(Errc::invalid_argument, where_.empty() ? message : where_ + ": " + message);
  }
  bool fail(const std::string& message) {
    error_ = message;
    return false;
  }

  const Json* member(const Json& j, const char* key) {
    if (!j.contains(key)) {
      fail(std::string("missing \"") + key + "\"");
      return nullptr;
    }
    return &j[key];
  }

  bool ref(const Json& j, const char* key, InternRef& out) {
    const Json* v = member(j, key);
    if (!v) return false;
    if (!v->is_string()) return fail(std::string("\"") + key + "\" is not a string");
    return ref_of(v->get_ref<const std::string&>(), out);
  }
  bool ref_of(const std::string& text, InternRef& out) {
    auto it = index_.find(text);
    if (it == index_.end()) return fail("\"" + text + "\" is not in \"internStrings\"");
    out.index = it->second;
    return true;
  }
  bool boolean(const Json& j, const char* key, bool& out) {
    const Json* v = member(j, key);
    if (!v) return false;
    if (!v->is_boolean()) return fail(std::string("\"") + key + "\" is not a boolean");
    out = v->get<bool>();
    return true;
  }
  bool u32(const Json& j, const char* key, uint32_t& out) {
    const Json* v = member(j, key);
    if (!v) return false;
    auto n = uint_from_json(*v);
    if (!n || *n > UINT32_MAX) return fail(std::string("\"") + key + "\" is not a 32-bit count");
    out = static_cast<uint32_t>(*n);
    return true;
  }
  bool collection(const Json& j, const char* key, CollectionType& out) {
    const Json* v = member(j, key);
    if (!v) return false;
    auto c =
        v->is_string() ? collection_type_from_name(v->get_ref<const std::string&>()) : std::nullopt;
    if (!c) return fail(std::string("\"") + key + "\" is not a collection type");
    out = *c;
    return true;
  }
  bool type_of(const Json& v, const char* key, bool column, Type& out) {
    auto t = !v.is_string() ? std::nullopt
             : column       ? column_type_from_name(v.get_ref<const std::string&>())
                            : type_from_name(v.get_ref<const std::string&>());
    if (!t) return fail(std::string("\"") + key + "\" is not a type name");
    out = *t;
    return true;
  }

  bool key(const Json& v, PrimaryKey& out) {
    if (v.is_null()) {
      out = Null{};
      return true;
    }
    auto k = single_key(v);
    if (!k) return fail("a primary key is not null or a one-member object");
    const Json& x = v.begin().value();
    if (*k == "int") {
      auto n = int_from_json(x);
      if (!n) return fail("\"int\" is not a 64-bit integer");
      out = *n;
    } else if (*k == "string") {
      if (!x.is_string()) return fail("\"string\" is not a string");
      InternRef r;
      if (!ref_of(x.get_ref<const std::string&>(), r)) return false;
      out = r;
    } else if (*k == "objectId") {
      auto oid =
          x.is_string() ? object_id_from_string(x.get_ref<const std::string&>()) : std::nullopt;
      if (!oid) return fail("\"objectId\" is not 24 hex digits");
      out = *oid;
    } else if (*k == "uuid") {
      auto u = x.is_string() ? uuid_from_string(x.get_ref<const std::string&>()) : std::nullopt;
      if (!u) return fail("\"uuid\" is not a UUID");
      out = *u;
    } else if (*k == "globalKey") {
      auto g = global_key_from_json(x);
      if (!g) return fail("\"globalKey\" is not {\"hi\", \"lo\"}");
      out = *g;
    } else {
      return fail("\"" + *k + "\" is not a primary key type");
    }
    return true;
  }

  bool payload(const Json& v, Payload& out) {
    if (v.is_null()) {
      out.type = Type::Null;
      return true;
    }
    auto k = single_key(v);
    if (!k) return fail("a value is not null or a one-member object");
    const Json& x = v.begin().value();
    const std::string& name = *k;
    if (name == "int") {
      auto n = int_from_json(x);
      if (!n) return fail("\"int\" is not a 64-bit integer");
      out.type = Type::Int;
      out.int_value = *n;
    } else if (name == "bool") {
      if (!x.is_boolean()) return fail("\"bool\" is not a boolean");
      out.type = Type::Bool;
      out.bool_value = x.get<bool>();
    } else if (name == "string") {
      if (!x.is_string()) return fail("\"string\" is not a string");
      out.type = Type::String;
      out.bytes = x.get<std::string>();
    } else if (name == "binary") {
      auto b = x.is_string() ? base64_decode(x.get_ref<const std::string&>()) : std::nullopt;
      if (!b) return fail("\"binary\" is not base64");
      out.type = Type::Binary;
      out.bytes = std::move(*b);
    } else if (name == "timestamp") {
      auto ts = timestamp_from_json(x);
      if (!ts) return fail("\"timestamp\" is not {\"seconds\", \"nanoseconds\"}");
      out.type = Type::Timestamp;
      out.timestamp = *ts;
    } else if (name == "float" || name == "double") {
      auto d = double_from_json(x);
      if (!d) return fail("\"" + name + "\" is not a number");
      if (name == "float") {
        out.type = Type::Float;
        out.float_value = static_cast<float>(*d);
      } else {
        out.type = Type::Double;
        out.double_value = *d;
      }
    } else if (name == "decimal") {
      auto d = x.is_string() ? decimal_from_string(x.get_ref<const std::string&>()) : std::nullopt;
      if (!d) return fail("\"decimal\" is not a Decimal128 text");
      out.type = Type::Decimal;
      out.decimal = *d;
    } else if (name == "objectId") {
      auto oid =
          x.is_string() ? object_id_from_string(x.get_ref<const std::string&>()) : std::nullopt;
      if (!oid) return fail("\"objectId\" is not 24 hex digits");
      out.type = Type::ObjectId;
      out.object_id = *oid;
    } else if (name == "uuid") {
      auto u = x.is_string() ? uuid_from_string(x.get_ref<const std::string&>()) : std::nullopt;
      if (!u) return fail("\"uuid\" is not a UUID");
      out.type = Type::UUID;
      out.uuid = *u;
    } else if (name == "link") {
      if (!x.is_object() || x.size() != 2) return fail("\"link\" is not {\"table\", \"pk\"}");
      out.type = Type::Link;
      if (!ref(x, "table", out.link.table)) return false;
      const Json* pk = member(x, "pk");
      if (!pk || !key(*pk, out.link.target)) return false;
    } else if (name == "embeddedObject" && x.is_object() && x.empty()) {
      out.type = Type::ObjectValue;
    } else if (name == "list" && x.is_array() && x.empty()) {
      out.type = Type::List;
    } else if (name == "dictionary" && x.is_object() && x.empty()) {
      out.type = Type::Dictionary;
    } else if (name == "set" && x.is_array() && x.empty()) {
      out.type = Type::Set;
    } else if (name == "erased" && x.is_object() && x.empty()) {
      out.type = Type::Erased;
    } else {
      return fail("\"" + name + "\" is not a value type of a changeset");
    }
    return true;
  }

  bool prefix(const Json& j, PathPrefix& out) {
    if (!ref(j, "table", out.table) || !ref(j, "field", out.field)) return false;
    const Json* object = member(j, "object");
    if (!object || !key(*object, out.object)) return false;
    const Json* path = member(j, "path");
    if (!path) return false;
    if (!path->is_array()) return fail("\"path\" is not an array");
    for (const auto& e : *path) {
      if (e.is_string()) {
        InternRef r;
        if (!ref_of(e.get_ref<const std::string&>(), r)) return false;
        out.path.emplace_back(r);
      } else {
        auto n = uint_from_json(e);
        if (!n || *n > UINT32_MAX) return fail("a \"path\" element is not a string or an index");
        out.path.emplace_back(static_cast<uint32_t>(*n));
      }
    }
    return true;
  }

  bool value(const Json& j, Payload& out) {
    const Json* v = member(j, "value");
    return v && payload(*v, out);
  }

  bool indexed(const PathPrefix& p) {
    return ends_in_index(p.path) || fail("\"path\" does not end in an index");
  }

  bool instruction(const Json& j, Instruction& out) {
    if (!j.is_object()) return fail("not a JSON object");
    const Json* type = member(j, "type");
    if (!type) return false;
    const std::string name = type->is_string() ? type->get<std::string>() : "";
    if (name == "AddTable") {
      AddTable in;
      bool embedded = false;
      if (!ref(j, "table", in.table) || !boolean(j, "embedded", embedded)) return false;
      if (embedded) {
        in.table_type = TableType::Embedded;
      } else {
        bool asymmetric = false;
        const Json* pk = member(j, "primaryKey");
        if (!pk || !boolean(j, "asymmetric", asymmetric)) return false;
        in.table_type = asymmetric ? TableType::TopLevelAsymmetric : TableType::TopLevel;
        if (!pk->is_object()) return fail("\"primaryKey\" is not an object");
        const Json* pk_type = member(*pk, "type");
        if (!ref(*pk, "field", in.pk_field) || !pk_type ||
            !type_of(*pk_type, "type", false, in.pk_type) ||
            !boolean(*pk, "nullable", in.pk_nullable)) {
          return false;
        }
      }
      out = in;
    } else if (name == "EraseTable") {
      EraseTable in;
      if (!ref(j, "table", in.table)) return false;
      out = in;
    } else if (name == "CreateObject" || name == "EraseObject") {
      InternRef table;
      PrimaryKey object;
      const Json* o = member(j, "object");
      if (!ref(j, "table", table) || !o || !key(*o, object)) return false;
      if (name == "CreateObject") {
        out = CreateObject{table, object};
      } else {
        out = EraseObject{table, object};
      }
    } else if (name == "AddColumn") {
      AddColumn in;
      const Json* vt = member(j, "valueType");
      if (!ref(j, "table", in.table) || !ref(j, "field", in.field) || !vt ||
          !type_of(*vt, "valueType", true, in.type) || !boolean(j, "nullable", in.nullable) ||
          !collection(j, "collectionType", in.collection_type)) {
        return false;
      }
      if (j.contains("keyType")) {
        Type kt{};
        if (!type_of(j["keyType"], "keyType", false, kt)) return false;
        in.key_type = kt;
      }
      if (j.contains("linkTarget")) {
        InternRef target;
        if (!ref(j, "linkTarget", target)) return false;
        in.link_target = target;
      }
      if ((in.type == Type::Link) != in.link_target.has_value()) {
        return fail("\"linkTarget\" must be present exactly for Link columns");
      }
      if ((in.collection_type == CollectionType::Dictionary) != in.key_type.has_value()) {
        return fail("\"keyType\" must be present exactly for dictionaries");
      }
      out = in;
    } else if (name == "EraseColumn") {
      EraseColumn in;
      if (!ref(j, "table", in.table) || !ref(j, "field", in.field)) return false;
      out = in;
    } else if (name == "Update") {
      Update in;
      if (!prefix(j, in.prefix) || !value(j, in.value)) return false;
      if (ends_in_index(in.prefix.path)) {
        if (!u32(j, "priorSize", in.prior_size)) return false;
      } else if (!boolean(j, "isDefault", in.is_default)) {
        return false;
      }
      out = std::move(in);
    } else if (name == "AddInteger") {
      AddInteger in;
      const Json* v = member(j, "value");
      if (!prefix(j, in.prefix) || !v) return false;
      auto n = int_from_json(*v);
      if (!n) return fail("\"value\" is not a 64-bit integer");
      in.value = *n;
      out = std::move(in);
    } else if (name == "ArrayInsert") {
      ArrayInsert in;
      if (!prefix(j, in.prefix) || !indexed(in.prefix) || !value(j, in.value) ||
          !u32(j, "priorSize", in.prior_size)) {
        return false;
      }
      out = std::move(in);
    } else if (name == "ArrayMove") {
      ArrayMove in;
      if (!prefix(j, in.prefix) || !indexed(in.prefix) || !u32(j, "newIndex", in.ndx_2) ||
          !u32(j, "priorSize", in.prior_size)) {
        return false;
      }
      out = std::move(in);
    } else if (name == "ArrayErase") {
      ArrayErase in;
      if (!prefix(j, in.prefix) || !indexed(in.prefix) || !u32(j, "priorSize", in.prior_size)) {
        return false;
      }
      out = std::move(in);
    } else if (name == "Clear") {
      Clear in;
      if (!prefix(j, in.prefix) || !collection(j, "collectionType", in.collection_type)) {
        return false;
      }
      out = std::move(in);
    } else if (name == "SetInsert" || name == "SetErase") {
      PathPrefix p;
      Payload v;
      if (!prefix(j, p) || !value(j, v)) return false;
      if (name == "SetInsert") {
        out = SetInsert{std::move(p), std::move(v)};
      } else {
        out = SetErase{std::move(p), std::move(v)};
      }
    } else {
      return fail("unknown instruction type \"" + name + "\"");
    }
    return true;
  }

  Changeset cs_;
  std::unordered_map<std::string, uint32_t> index_;
  std::string where_;
  std::string error_;
};

}  // namespace

Json to_json(const Changeset& cs) {
  Json j = Json::object();
  Json instructions = Json::array();
  for (const auto& in : cs.instructions) instructions.push_back(instruction_to_json(cs, in));
  j["instructions"] = std::move(instructions);
  j["internStrings"] = cs.strings;
  return j;
}

Result<Changeset> from_json(const Json& json) { return JsonReader().run(json); }

}  // namespace ros::sync::changeset
