// ros-changeset: decode, encode, apply and check Realm Sync changesets.
// Argument parsing only; the work is in lib/sync/changeset/tool.hpp.
#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "sync/changeset/tool.hpp"
#include "sync/store/replay.hpp"
#include "sync/transform/vectors.hpp"

namespace cs = ros::sync::changeset;

namespace {

int fail(const ros::Error& e) {
  std::cerr << "ros-changeset: " << e.message << "\n";
  return 1;
}

int emit(const ros::Result<std::string>& r) {
  if (!r) return fail(r.error());
  std::cout << *r << std::flush;
  return std::cout ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Decode, encode, apply and check Realm Sync changesets (realm-core 14.x format)."};
  app.name("ros-changeset");
  app.require_subcommand(1);

  std::string decode_file;
  auto* decode = app.add_subcommand("decode", "Print a binary changeset as JSON");
  decode->add_option("FILE", decode_file, "Binary changeset")->required();

  std::string encode_file;
  std::string layout = "hoisted";
  auto* encode =
      app.add_subcommand("encode", "Write the binary form of a JSON changeset to stdout");
  encode->add_option("--layout", layout, "Where InternString declarations go: streaming or hoisted")
      ->check(CLI::IsMember({"streaming", "hoisted"}))
      ->capture_default_str();
  encode->add_option("FILE", encode_file, "JSON changeset")->required();

  std::vector<std::string> apply_files;
  auto* apply =
      app.add_subcommand("apply", "Apply changesets in order to an empty state and print it");
  apply->add_option("FILE", apply_files, "Binary changesets")->required();

  std::string check_dir;
  std::string final_state;
  auto* check = app.add_subcommand("check", "Check a folder of recorded changeset vectors");
  check->add_option(
      "--final-state", final_state,
      "Compare the applied state with this file (default: DIR/final-state.json if present)");
  check->add_option("DIR", check_dir, "Folder of X.bin / X.json pairs")->required();

  std::string transform_dir;
  auto* transform = app.add_subcommand(
      "transform", "Check the merge against a folder of recorded transform vectors");
  transform->add_option("DIR", transform_dir, "Folder with cases/NNNN/{a,b,...}.bin")->required();

  std::vector<std::string> replay_dirs;
  auto* replay = app.add_subcommand(
      "replay", "Replay recorded merge scenarios through the server's integration and compare");
  replay->add_option("DIR", replay_dirs, "Scenario folders (sNNN with uploads.json, ...)")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "ros-changeset: " << e.what() << "\n";
    std::cerr << "Run with --help for more information.\n";
    return 2;
  }

  if (*decode) return emit(cs::decode_file(decode_file));
  if (*encode) {
    return emit(cs::encode_file(
        encode_file, layout == "streaming" ? cs::Layout::streaming : cs::Layout::hoisted));
  }
  if (*apply) return emit(cs::apply_files({apply_files.begin(), apply_files.end()}));
  if (*transform) {
    auto summary = ros::sync::transform::run_vectors(transform_dir, std::cout);
    if (!summary) return fail(summary.error());
    return summary->failed == 0 ? 0 : 1;
  }
  if (*replay) {
    auto summary = ros::sync::store::replay_scenarios({replay_dirs.begin(), replay_dirs.end()},
                                                      std::cout);
    return summary.failed == 0 ? 0 : 1;
  }
  std::optional<std::filesystem::path> expected;
  if (!final_state.empty()) expected = final_state;
  auto summary = cs::check_dir(check_dir, expected, std::cout);
  if (!summary) return fail(summary.error());
  return summary->failed == 0 ? 0 : 1;
}
