// The ros-realm command apart from argument parsing: each subcommand asks
// ros-syncd over its control socket (ops realm.list, realm.show,
// realm.schema, realm.history, realm.rm) and, when ros-syncd is not running,
// reads the files of storage.root_path itself with the same functions
// (inspect.hpp), so both ways print the same thing.
//
// What it promises:
// - Exit 0 on success (a table or text for people, or the raw JSON with
//   --json), 1 on a refusal or failure (the message on stderr, prefixed
//   "ros-realm: "), 2 on bad usage (rm without --force).
// - Which way it went is said on stderr with --verbose ("reading the files
//   directly: ros-syncd is not running").
// - A running ros-syncd that does not know an op: read-only subcommands fall
//   back to the files; rm refuses (deleting a file the daemon may hold open
//   would lose writes).
// - rm without ros-syncd deletes the file and its -wal/-shm/-journal files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "config/loader.hpp"

namespace ros::sync::inspect {

struct RealmCommandOptions {
  config::Overrides config;  // to find storage.root_path and control.socket_dir
  bool json = false;         // --json
  bool verbose = false;      // --verbose: say whether ros-syncd or the files answered
};

int realm_ls(const RealmCommandOptions& o);
int realm_show(const RealmCommandOptions& o, const std::string& path,
               const std::optional<std::string>& cls, std::size_t limit);
int realm_schema_command(const RealmCommandOptions& o, const std::string& path);
int realm_history_command(const RealmCommandOptions& o, const std::string& path, std::uint64_t from,
                          std::size_t limit);
int realm_rm(const RealmCommandOptions& o, const std::string& path, bool force);

}  // namespace ros::sync::inspect
