#include "sync/changeset/types.hpp"

#include <utility>

namespace ros::sync::changeset {

namespace {

constexpr std::pair<Type, std::string_view> kTypeNames[] = {
    {Type::Set, "Set"},
    {Type::List, "List"},
    {Type::Erased, "Erased"},
    {Type::Dictionary, "Dictionary"},
    {Type::ObjectValue, "ObjectValue"},
    {Type::GlobalKey, "GlobalKey"},
    {Type::Null, "Null"},
    {Type::Int, "Int"},
    {Type::Bool, "Bool"},
    {Type::String, "String"},
    {Type::Binary, "Binary"},
    {Type::Timestamp, "Timestamp"},
    {Type::Float, "Float"},
    {Type::Double, "Double"},
    {Type::Decimal, "Decimal"},
    {Type::Link, "Link"},
    {Type::ObjectId, "ObjectId"},
    {Type::UUID, "UUID"},
};

constexpr std::pair<CollectionType, std::string_view> kCollectionNames[] = {
    {CollectionType::Single, "Single"},
    {CollectionType::List, "List"},
    {CollectionType::Dictionary, "Dictionary"},
    {CollectionType::Set, "Set"},
};

}  // namespace

std::string_view type_name(Type type) {
  for (const auto& [t, name] : kTypeNames) {
    if (t == type) return name;
  }
  return "?";
}

std::string_view column_type_name(Type type) {
  return type == Type::Null ? std::string_view("Mixed") : type_name(type);
}

std::optional<Type> type_from_name(std::string_view name) {
  for (const auto& [t, n] : kTypeNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

std::optional<Type> column_type_from_name(std::string_view name) {
  if (name == "Mixed") return Type::Null;
  if (name == "Null") return std::nullopt;
  return type_from_name(name);
}

std::string_view collection_type_name(CollectionType type) {
  for (const auto& [t, name] : kCollectionNames) {
    if (t == type) return name;
  }
  return "?";
}

std::optional<CollectionType> collection_type_from_name(std::string_view name) {
  for (const auto& [t, n] : kCollectionNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

}  // namespace ros::sync::changeset
