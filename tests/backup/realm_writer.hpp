// Test helper: Realm files with known content, written through RealmStore as
// ros-syncd writes them (a client file, uploads integrated in order), with
// changesets built from their JSON form.
//
// The class written is "Item" (primary key Int "_id", Int "n", String "s");
// item k has n = k and s = "item <k>". One RealmWriter per Realm file: its
// uploads are always based on the latest version, so they never need a merge.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "sync/store/realm_store.hpp"

namespace ros::test {

// The changeset bytes (hoisted layout) that add the Item class.
std::string item_schema_changeset();
// The changeset bytes that create item `id` and set its fields.
std::string create_item_changeset(std::int64_t id);

class RealmWriter {
 public:
  // Opens (creates) the file and allocates a client file; REQUIREs success.
  explicit RealmWriter(const std::filesystem::path& file);

  // Uploads the schema changeset; REQUIREs success.
  void add_schema();
  // Uploads create_item_changeset(next id) and returns the new server version;
  // REQUIREs success. Items are numbered 1, 2, ...
  std::uint64_t add_item();

  sync::store::RealmStore& store() { return *store_; }
  std::int64_t items() const { return next_item_ - 1; }

 private:
  std::uint64_t upload(const std::string& changeset);

  std::unique_ptr<sync::store::RealmStore> store_;
  std::uint64_t ident_ = 0;
  std::uint64_t client_version_ = 0;
  std::int64_t next_item_ = 1;
};

}  // namespace ros::test
