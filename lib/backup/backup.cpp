#include "backup/backup.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>

#include "backup/copy.hpp"
#include "storage/layout.hpp"

namespace ros::backup {
namespace {

namespace fs = std::filesystem;

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// True when `inner` is `outer` or below it (both absolute and normal).
bool is_within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

struct Entry {
  fs::path rel;
  enum class Kind { folder, database, file } kind = Kind::file;
  std::uint64_t size = 0;
};

// SQLite's files beside a database: their content is in the database's copy.
bool is_companion(const fs::path& file) {
  const std::string name = file.string();
  for (std::string_view suffix : {"-wal", "-shm", "-journal"}) {
    if (ends_with(name, suffix)) {
      const fs::path base = name.substr(0, name.size() - suffix.size());
      std::error_code ec;
      if (fs::is_regular_file(base, ec)) return true;
    }
  }
  return false;
}

Result<std::vector<Entry>> list_source(const fs::path& source) {
  std::vector<Entry> entries;
  std::error_code ec;
  const storage::Layout layout(source);
  auto it = fs::recursive_directory_iterator(source, ec);
  if (ec) return make_error(Errc::unavailable, "cannot read " + quoted(source) + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return make_error(Errc::unavailable, "cannot read " + quoted(source) + ": " + ec.message());
    const fs::path& p = it->path();
    std::error_code type_ec;
    auto status = it->symlink_status(type_ec);
    if (type_ec) continue;  // vanished
    if (fs::is_directory(status)) {
      if (p == layout.default_socket_dir()) {
        it.disable_recursion_pending();
        continue;
      }
      entries.push_back({p.lexically_relative(source), Entry::Kind::folder, 0});
      continue;
    }
    if (!fs::is_regular_file(status) || is_companion(p)) continue;
    // The admin token is a credential, not data: a backup copied elsewhere
    // must not carry it, and ros-authd writes a new one when it starts.
    if (p == layout.admin_token() || p == fs::path(layout.admin_token().string() + ".tmp")) continue;
    Entry e{p.lexically_relative(source), Entry::Kind::file, 0};
    const auto size = fs::file_size(p, type_ec);
    if (type_ec) continue;  // vanished since it was listed
    e.size = size;
    if (is_sqlite_file(p)) {
      e.kind = Entry::Kind::database;
      const auto wal = fs::file_size(fs::path(p.string() + "-wal"), type_ec);
      if (!type_ec) e.size += wal;
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

Result<void> check_space(const fs::path& folder, std::uint64_t needed) {
  struct statvfs fsinfo {};
  if (::statvfs(folder.c_str(), &fsinfo) != 0) return {};  // unknown: the copy will tell
  const std::uint64_t available = static_cast<std::uint64_t>(fsinfo.f_bavail) * fsinfo.f_frsize;
  if (available < needed) {
    return make_error(Errc::unavailable,
                      "not enough space in " + quoted(folder) + ": the backup needs about " +
                          std::to_string(needed) + " bytes, " + std::to_string(available) +
                          " are free");
  }
  return {};
}

// Removes the partial copy unless the backup completed.
class PartialFolder {
 public:
  explicit PartialFolder(fs::path path) : path_(std::move(path)) {}
  ~PartialFolder() {
    if (!kept_) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  PartialFolder(const PartialFolder&) = delete;
  PartialFolder& operator=(const PartialFolder&) = delete;
  void keep() { kept_ = true; }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  bool kept_ = false;
};

Result<std::pair<fs::path, fs::path>> check_paths(const Options& o) {
  std::error_code ec;
  if (!fs::exists(o.source, ec)) {
    return make_error(Errc::not_found, "SOURCE " + quoted(o.source) + " does not exist");
  }
  if (!fs::is_directory(o.source, ec)) {
    return make_error(Errc::invalid_argument, "SOURCE " + quoted(o.source) + " is not a folder");
  }
  const fs::path source = fs::canonical(o.source, ec);
  if (ec) return make_error(Errc::unavailable, "cannot read " + quoted(o.source) + ": " + ec.message());
  const storage::Layout layout(source);
  if (!fs::exists(layout.admin_db(), ec) && !fs::is_directory(layout.realms_dir(), ec)) {
    return make_error(Errc::invalid_argument,
                      "SOURCE " + quoted(o.source) +
                          " is not a ros data directory (it has neither admin.db nor realms/)");
  }
  fs::path target = fs::weakly_canonical(fs::absolute(o.target), ec);
  if (ec) return make_error(Errc::invalid_argument, "bad TARGET " + quoted(o.target) + ": " + ec.message());
  if (target.has_filename() == false) target = target.parent_path();
  if (is_within(target, source)) {
    return make_error(Errc::invalid_argument, "TARGET " + quoted(o.target) + " is inside SOURCE " +
                                                  quoted(o.source) + "; choose a folder outside it");
  }
  if (fs::exists(fs::symlink_status(target, ec))) {
    if (!fs::is_directory(target, ec)) {
      return make_error(Errc::conflict, "TARGET " + quoted(o.target) + " exists and is not a folder");
    }
    if (!fs::is_empty(target, ec)) {
      return make_error(Errc::conflict, "TARGET " + quoted(o.target) +
                                            " is not empty; give a new or empty folder");
    }
  } else if (!fs::is_directory(target.parent_path(), ec)) {
    return make_error(Errc::not_found, "the folder " + quoted(target.parent_path()) +
                                           " of TARGET does not exist");
  }
  return std::pair{source, target};
}

}  // namespace

Result<Summary> run_backup(const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  auto paths = check_paths(options);
  if (!paths) return paths.error();
  const auto& [source, target] = *paths;
  auto entries = list_source(source);
  if (!entries) return entries.error();

  Progress progress;
  for (const auto& e : *entries) {
    if (e.kind == Entry::Kind::folder) continue;
    ++progress.files_total;
    progress.bytes_total += e.size;
  }
  if (auto space = check_space(target.parent_path(), progress.bytes_total); !space) {
    return space.error();
  }

  PartialFolder partial(target.parent_path() /
                        ("." + target.filename().string() + ".partial-" + std::to_string(::getpid())));
  std::error_code ec;
  fs::create_directory(partial.path(), ec);
  if (ec) {
    return make_error(Errc::unavailable, "cannot create " + quoted(partial.path()) + ": " + ec.message());
  }
  fs::permissions(partial.path(), fs::status(source, ec).permissions(), ec);

  Summary summary;
  summary.source = source;
  summary.target = target;
  const fs::path realms_rel = storage::Layout(source).realms_dir().lexically_relative(source);
  auto report = [&] {
    if (options.on_progress) options.on_progress(progress);
  };
  for (const auto& e : *entries) {
    const fs::path from = source / e.rel;
    const fs::path to = partial.path() / e.rel;
    if (e.kind == Entry::Kind::folder) {
      fs::create_directories(to, ec);
      if (ec) return make_error(Errc::unavailable, "cannot create " + quoted(to) + ": " + ec.message());
      fs::permissions(to, fs::status(from, ec).permissions(), ec);
      continue;
    }
    progress.current = e.rel.string();
    report();
    if (!fs::exists(from, ec)) {  // removed since the listing (ros-realm rm)
      summary.skipped.push_back(e.rel.string());
      ++progress.files_done;
      continue;
    }
    const std::uint64_t before = progress.bytes_done;
    auto on_bytes = [&](std::uint64_t n) {
      progress.bytes_done = before + n;
      report();
    };
    auto copied = e.kind == Entry::Kind::database
                      ? copy_database(from, to, options.cancel, on_bytes)
                      : copy_file(from, to, options.cancel, on_bytes);
    if (!copied) {
      // Name the file as it would have been in TARGET, not in the hidden copy.
      Error e = copied.error();
      const std::string hidden = partial.path().string();
      for (auto at = e.message.find(hidden); at != std::string::npos; at = e.message.find(hidden)) {
        e.message.replace(at, hidden.size(), target.string());
      }
      return e;
    }
    progress.bytes_done = before + *copied;
    ++progress.files_done;
    summary.bytes += *copied;
    ++summary.files;
    if (e.kind == Entry::Kind::database) {
      ++summary.databases;
      if (*e.rel.begin() == realms_rel) ++summary.realms;
    }
    report();
  }
  if (options.cancel && options.cancel->load()) return make_error(Errc::unavailable, "interrupted");

  // Folders are synced deepest first so every name is durable before the rename.
  for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
    if (it->kind != Entry::Kind::folder) continue;
    if (auto r = sync_path(partial.path() / it->rel); !r) return r.error();
  }
  if (auto r = sync_path(partial.path()); !r) return r.error();
  // rename(2) replaces an empty folder, so an empty TARGET is taken over too.
  fs::rename(partial.path(), target, ec);
  if (ec) {
    return make_error(Errc::unavailable, "cannot rename " + quoted(partial.path()) + " to " +
                                             quoted(target) + ": " + ec.message());
  }
  partial.keep();
  (void)sync_path(target.parent_path());
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

nlohmann::json to_json(const Summary& s) {
  return {{"source", s.source.string()}, {"target", s.target.string()},
          {"files", s.files},            {"databases", s.databases},
          {"realms", s.realms},          {"bytes", s.bytes},
          {"seconds", s.seconds},        {"skipped", s.skipped}};
}

}  // namespace ros::backup
