#include <catch2/catch.hpp>
#include <filesystem>

#include "hex.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using ros::test::read_file;
using ros::test::run_program;
using ros::test::TempDir;

namespace {

const fs::path kVectors = fs::path(ROS_SHARED_DIR) / "testdata" / "realm-sync" / "changesets";

}  // namespace

TEST_CASE("ros-changeset: decode prints the recorded JSON text", "[changeset]") {
  auto r =
      run_program("ros-changeset", {"decode", (kVectors / "019-embedded-objects.bin").string()});
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  std::string expected = read_file(kVectors / "019-embedded-objects.json");
  if (expected.empty() || expected.back() != '\n') expected += "\n";
  CHECK(r.out == expected);
}

TEST_CASE("ros-changeset: encode writes either layout", "[changeset]") {
  const auto json = (kVectors / "001-add-tables.json").string();
  auto streaming = run_program("ros-changeset", {"encode", "--layout", "streaming", json});
  CHECK(streaming.exit_code == 0);
  CHECK(streaming.out == read_file(kVectors / "001-add-tables.bin"));
  auto hoisted = run_program("ros-changeset", {"encode", json});
  CHECK(hoisted.exit_code == 0);
  CHECK(hoisted.out.size() == streaming.out.size());
  CHECK(hoisted.out != streaming.out);
  CHECK(hoisted.out.substr(0, 1) == "\x3f");
}

TEST_CASE("ros-changeset: apply prints the state or names the bad changeset", "[changeset]") {
  auto ok = run_program("ros-changeset", {"apply", (kVectors / "001-add-tables.bin").string(),
                                          (kVectors / "006-update-primitive-fields.bin").string()});
  CHECK(ok.exit_code == 1);  // 006 needs the columns and objects of 002-005
  CHECK(ok.err.find("006-update-primitive-fields.bin': bad changeset: instruction 0 (Update): ") !=
        std::string::npos);

  auto good = run_program("ros-changeset", {"apply", (kVectors / "001-add-tables.bin").string()});
  CHECK(good.exit_code == 0);
  CHECK(good.out.rfind("{\n  \"classes\": {\n    \"Address\": {", 0) == 0);
}

TEST_CASE("ros-changeset: errors and usage", "[changeset]") {
  TempDir dir;
  const auto bad = dir.write("bad.bin", ros::test::unhex("3f 01 01 61"));
  auto r = run_program("ros-changeset", {"decode", bad.string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "ros-changeset: '" + bad.string() + "': byte 1: Unexpected intern index: 1\n");

  auto missing = run_program("ros-changeset", {"decode", (dir / "none.bin").string()});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "ros-changeset: cannot read '" + (dir / "none.bin").string() + "'\n");

  CHECK(run_program("ros-changeset", {}).exit_code == 2);
  CHECK(run_program("ros-changeset", {"frobnicate"}).exit_code == 2);
  CHECK(run_program("ros-changeset", {"encode", "--layout", "sideways", "x.json"}).exit_code == 2);
  CHECK(run_program("ros-changeset", {"decode"}).exit_code == 2);
  auto help = run_program("ros-changeset", {"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("check") != std::string::npos);
}

TEST_CASE("ros-changeset: check passes the vectors and fails a damaged copy", "[changeset]") {
  auto ok = run_program("ros-changeset", {"check", kVectors.string()});
  CHECK(ok.exit_code == 0);
  CHECK(ok.out == "26 passed, 0 failed\n");

  TempDir dir;
  for (const char* name : {"001-add-tables", "002-add-columns-primitive"}) {
    for (const char* ext : {".bin", ".json"}) {
      fs::copy_file(kVectors / (std::string(name) + ext), dir / (std::string(name) + ext));
    }
  }
  // One byte of a string changed: the decoding disagrees with the JSON ...
  std::string bin = read_file(dir / "001-add-tables.bin");
  bin[3] = 'Q';
  dir.write("001-add-tables.bin", bin);
  auto r = run_program("ros-changeset", {"check", dir.path().string()});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("001-add-tables.bin: decode differs from the recorded JSON at ") !=
        std::string::npos);
  // ... and the class it renamed is missing when 002 adds columns to it.
  CHECK(
      r.out.find("002-add-columns-primitive.bin: apply: bad changeset: instruction 0 (AddColumn): "
                 "table 'Person' does not exist") != std::string::npos);
  CHECK(r.out.find("0 passed, 2 failed\n") != std::string::npos);

  // A final state that does not match is one more failure.
  dir.write("final-state.json", "{\"classes\": {}}");
  auto f = run_program("ros-changeset", {"check", dir.path().string()});
  CHECK(f.exit_code == 1);
  CHECK(f.out.find("final-state.json: the state after applying differs at /classes/") !=
        std::string::npos);
  CHECK(f.out.find("0 passed, 3 failed\n") != std::string::npos);

  // Non-canonical bytes (an overlong InternString index, L1 of section 17)
  // decode to the recorded JSON but do not encode back to themselves.
  TempDir lenient;
  lenient.write("x.bin", ros::test::unhex("3f 80 00 01 54"));
  lenient.write("x.json", R"({"instructions": [], "internStrings": ["T"]})");
  auto l = run_program("ros-changeset", {"check", lenient.path().string()});
  CHECK(l.exit_code == 1);
  CHECK(l.out ==
        "x.bin: encode (hoisted) differs from the recorded bytes at byte 0 (0 bytes, recorded 5)\n"
        "0 passed, 1 failed\n");

  auto none = run_program("ros-changeset", {"check", (dir / "nope").string()});
  CHECK(none.exit_code == 1);
  CHECK(none.err.rfind("ros-changeset: cannot read folder '", 0) == 0);
}
