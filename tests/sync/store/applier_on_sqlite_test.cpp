// The applier's own unit tests (tests/sync/changeset/applier_test.cpp), run
// unchanged against SqliteState instead of MemoryState: the same file is
// compiled here with MemoryState standing for a SqliteState on a fresh file,
// and each test renamed "store: SqliteState passes <name>".
#include "sync/changeset/memory_state.hpp"  // first: its include guard keeps the real class

#include <catch2/catch.hpp>

#include "store_test_support.hpp"

namespace {

class SqliteBackedState : public ros::sync::changeset::State {
 public:
  using Object = ros::sync::changeset::Object;
  using ObjectKey = ros::sync::changeset::ObjectKey;
  using ClassSpec = ros::sync::changeset::ClassSpec;
  using Names = ros::Result<std::vector<std::string>>;

  Names class_names() const override { return s().class_names(); }
  ros::Result<std::optional<ClassSpec>> get_class(const std::string& n) const override {
    return s().get_class(n);
  }
  ros::Result<void> put_class(const std::string& n, const ClassSpec& c) override {
    return s().put_class(n, c);
  }
  ros::Result<void> erase_class(const std::string& n) override { return s().erase_class(n); }
  ros::Result<std::vector<ObjectKey>> object_keys(const std::string& c) const override {
    return s().object_keys(c);
  }
  ros::Result<std::optional<Object>> get_object(const std::string& c,
                                                const ObjectKey& k) const override {
    return s().get_object(c, k);
  }
  ros::Result<bool> has_object(const std::string& c, const ObjectKey& k) const override {
    return s().has_object(c, k);
  }
  ros::Result<void> put_object(const std::string& c, const ObjectKey& k,
                               const Object& o) override {
    return s().put_object(c, k, o);
  }
  ros::Result<void> erase_object(const std::string& c, const ObjectKey& k) override {
    return s().erase_object(c, k);
  }
  ros::Result<void> begin() override { return s().begin(); }
  ros::Result<void> commit() override { return s().commit(); }
  ros::Result<void> rollback() override { return s().rollback(); }

 private:
  ros::sync::store::SqliteState& s() const { return fixture_->state(); }
  std::unique_ptr<ros::test::SqliteFixture> fixture_ = std::make_unique<ros::test::SqliteFixture>();
};

}  // namespace

#define MemoryState SqliteBackedState
#undef TEST_CASE
#define TEST_CASE(name, tags) \
  INTERNAL_CATCH_TESTCASE("store: SqliteState passes " name, "[store]")
#include "../changeset/applier_test.cpp"
