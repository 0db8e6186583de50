// The realm-backup command apart from argument parsing: runs a backup or a
// verification, shows progress on a terminal, prints the summary (or JSON),
// and returns the exit status of design.md (0 done, 1 refused or failed,
// 2 bad usage, the latter decided by the caller's parser).
//
// SIGINT, SIGTERM and SIGHUP during a backup cancel it: the partial copy is
// removed, "interrupted" is printed and the status is 1. SIGXFSZ is ignored,
// so a file size limit shows as a write error that names the file, not as a
// killed process that leaves its partial copy behind.
#pragma once

#include <filesystem>

namespace ros::backup {

struct CommandOptions {
  bool json = false;   // --json: the summary or the report as one JSON document
  bool quiet = false;  // --quiet: no progress and no summary (errors still)
};

int backup_command(const std::filesystem::path& source, const std::filesystem::path& target,
                   const CommandOptions& options);
int verify_command(const std::filesystem::path& target, const CommandOptions& options);

}  // namespace ros::backup
