#include "backup/command.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "backup/backup.hpp"
#include "backup/verify.hpp"
#include "cli/human.hpp"

namespace ros::backup {
namespace {

constexpr const char* kProgram = "realm-backup";

std::atomic<bool> g_cancel{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_signal(int) { g_cancel.store(true); }

void install_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
  signal(SIGXFSZ, SIG_IGN);
}

// A one-line progress display on stderr, at most ten times a second.
class ProgressLine {
 public:
  void show(const Progress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (shown_ && now - last_ < std::chrono::milliseconds(100) && p.files_done != p.files_total) {
      return;
    }
    last_ = now;
    shown_ = true;
    std::string line = std::string(kProgram) + ": " + std::to_string(p.files_done) + "/" +
                       std::to_string(p.files_total) + " files, " + cli::human_bytes(p.bytes_done) +
                       " of ~" + cli::human_bytes(p.bytes_total);
    if (!p.current.empty() && p.files_done != p.files_total) line += "  " + p.current;
    if (line.size() > 100) line = line.substr(0, 97) + "...";
    std::cerr << "\r\033[K" << line << std::flush;
  }
  void clear() {
    if (shown_) std::cerr << "\r\033[K" << std::flush;
  }

 private:
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace

int backup_command(const std::filesystem::path& source, const std::filesystem::path& target,
                   const CommandOptions& options) {
  install_handlers();
  ProgressLine line;
  Options o;
  o.source = source;
  o.target = target;
  o.cancel = &g_cancel;
  if (!options.quiet && !options.json && ::isatty(STDERR_FILENO)) {
    o.on_progress = [&](const Progress& p) { line.show(p); };
  }
  auto summary = run_backup(o);
  line.clear();
  if (!summary) {
    std::string message = summary.error().message;
    if (g_cancel.load()) message = "interrupted by a signal";
    std::cerr << kProgram << ": " << message << "; nothing was written to '" << target.string()
              << "'\n";
    return 1;
  }
  if (options.json) {
    std::cout << to_json(*summary).dump() << "\n";
  } else if (!options.quiet) {
    std::cout << "backed up " << summary->source.string() << " to " << summary->target.string()
              << ": " << summary->files << " files (" << summary->databases << " databases, "
              << summary->realms << " Realms), " << cli::human_bytes(summary->bytes) << " in "
              << std::fixed << std::setprecision(1) << summary->seconds << " s\n";
    for (const auto& s : summary->skipped) {
      std::cout << "skipped " << s << " (removed while the backup ran)\n";
    }
  }
  return 0;
}

int verify_command(const std::filesystem::path& target, const CommandOptions& options) {
  auto report = verify_backup(target);
  if (!report) {
    std::cerr << kProgram << ": " << report.error().message << "\n";
    return 1;
  }
  if (options.json) {
    std::cout << to_json(*report).dump() << "\n";
  } else {
    for (const auto& p : report->problems) {
      std::cerr << kProgram << ": " << p.file << ": " << p.message << "\n";
    }
    if (!options.quiet && report->ok()) {
      std::cout << report->folder.string() << ": OK (" << report->databases << " databases, "
                << report->realms << " Realms, " << report->files << " other files)\n";
    }
  }
  if (!report->ok()) {
    if (!options.json) {
      std::cerr << kProgram << ": " << report->folder.string() << ": " << report->problems.size()
                << " problem(s); this backup cannot be restored as it is\n";
    }
    return 1;
  }
  return 0;
}

}  // namespace ros::backup
