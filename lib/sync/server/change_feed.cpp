#include "sync/server/change_feed.hpp"

#include <chrono>
#include <set>

#include "log/logger.hpp"
#include "sync/changeset/parser.hpp"
#include "sync/changeset/touched.hpp"
#include "sync/changeset/value_json.hpp"
#include "sync/inspect/inspect.hpp"
#include "sync/store/history_reader.hpp"

namespace ros::sync::server {

namespace {

// Entries read from a Realm per round, so one long history does not keep
// the other Realms of a follower waiting.
constexpr std::size_t kBatchEntries = 64;
// Lines a follower may have unwritten before its producer waits; below the
// Writer's queue bound (256), so more() never drops a feed line.
constexpr std::size_t kMaxQueued = 128;
constexpr auto kHeartbeat = std::chrono::seconds(1);

}  // namespace

struct ChangeFeed::Follower {
  std::shared_ptr<control::Writer> writer;
  std::optional<std::regex> paths;
  std::map<std::string, std::uint64_t> cursors;  // follower thread only

  std::mutex mutex;
  std::condition_variable wake;
  // Guarded by mutex:
  std::set<std::string> dirty;  // Realms that may have entries past their cursor
  bool stop = false;

  bool wants(const std::string& path) const {
    return !paths || std::regex_match(path, *paths);
  }
};

ChangeFeed::ChangeFeed(storage::Layout layout) : layout_(std::move(layout)) {}

ChangeFeed::~ChangeFeed() { stop(); }

Result<std::regex> ChangeFeed::follow_regex(const std::string& text) {
  try {
    return std::regex(text, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return make_error(Errc::invalid_argument,
                      "'paths' is not a valid regular expression: " + std::string(e.what()));
  }
}

void ChangeFeed::notify(const std::string& path) {
  std::lock_guard lock(mutex_);
  for (const auto& f : followers_) {
    if (!f->wants(path)) continue;
    {
      std::lock_guard flock(f->mutex);
      f->dirty.insert(path);
    }
    f->wake.notify_one();
  }
}

void ChangeFeed::follow(std::shared_ptr<control::Writer> writer,
                        std::optional<std::string> paths,
                        std::map<std::string, std::uint64_t> from) {
  auto f = std::make_shared<Follower>();
  f->writer = std::move(writer);
  if (paths) {
    auto re = follow_regex(*paths);
    if (!re) {
      f->writer->fail(re.error());
      return;
    }
    f->paths = std::move(*re);
  }
  f->cursors = std::move(from);
  std::lock_guard lock(mutex_);
  if (stopped_) {
    f->writer->fail(make_error(Errc::unavailable, "ros-syncd is stopping"));
    return;
  }
  // Registered before the first scan, so a commit during the scan is not
  // missed: it marks its Realm dirty and the follower reads it again.
  followers_.push_back(f);
  threads_.emplace_back([this, f] { run(f); });
}

void ChangeFeed::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    for (const auto& f : followers_) {
      {
        std::lock_guard flock(f->mutex);
        f->stop = true;
      }
      f->wake.notify_one();
    }
    threads.swap(threads_);
  }
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
  std::lock_guard lock(mutex_);
  followers_.clear();
}

std::size_t ChangeFeed::followers() {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& f : followers_) n += f->writer->closed() ? 0 : 1;
  return n;
}

void ChangeFeed::run(const std::shared_ptr<Follower>& f) {
  // Every existing Realm may have entries past the follower's versions.
  auto listed = inspect::list_realms(layout_);
  {
    std::lock_guard flock(f->mutex);
    for (const auto& realm : listed["realms"]) {
      std::string path = realm.value("path", "");
      if (!path.empty() && f->wants(path)) f->dirty.insert(path);
    }
  }
  f->writer->more({{"subscribed", true}});

  auto send = [&](nlohmann::json line) {
    while (!f->writer->wait_for_room(kMaxQueued, std::chrono::milliseconds(500))) {
      if (f->writer->closed()) return false;
      std::lock_guard flock(f->mutex);
      if (f->stop) return false;
    }
    return f->writer->more(std::move(line));
  };

  // Reads one batch of `path` past its cursor; true when more may follow.
  auto drain = [&](const std::string& path, bool& ok) {
    ok = true;
    auto file = layout_.realm_file(path);
    if (!file) return false;
    auto reader = store::HistoryReader::open(*file);
    if (!reader) {
      // A Realm being created or removed; the next notice or heartbeat retries.
      if (reader.error().code != Errc::not_found) {
        log::warn("change feed: ", reader.error().message);
        ok = false;
      }
      return false;
    }
    std::uint64_t& cursor = f->cursors[path];
    auto entries = reader->entries_after(cursor, kBatchEntries);
    if (!entries) {
      log::warn("change feed: ", entries.error().message);
      ok = false;
      return false;
    }
    for (const auto& e : *entries) {
      auto parsed = changeset::parse(e.changeset);
      if (!parsed) {
        log::error("change feed: '", path, "' version ", e.version,
                   " does not parse: ", parsed.error().message);
      } else if (!parsed->changeset.instructions.empty()) {
        nlohmann::json line = {
            {"path", path},
            {"version", e.version},
            {"origin_timestamp", e.origin_timestamp},
            {"changes", nlohmann::json::parse(
                            changeset::touched_to_json(changeset::touched_objects(parsed->changeset))
                                .dump())},
            {"changeset", changeset::base64_encode(e.changeset)}};
        if (!send(std::move(line))) return false;
      }
      cursor = e.version;
    }
    return entries->size() == kBatchEntries;
  };

  std::set<std::string> retry;
  while (true) {
    std::set<std::string> dirty;
    {
      std::unique_lock flock(f->mutex);
      f->wake.wait_for(flock, kHeartbeat, [&] { return f->stop || !f->dirty.empty(); });
      if (f->stop) break;
      dirty.swap(f->dirty);
    }
    if (f->writer->closed()) break;
    if (dirty.empty()) {
      // Idle: tell the follower we are alive, and retry Realms that failed.
      if (!f->writer->more({{"heartbeat", true}})) break;
      dirty.swap(retry);
    }
    for (const auto& path : dirty) {
      bool ok = true;
      if (drain(path, ok)) {
        std::lock_guard flock(f->mutex);
        f->dirty.insert(path);  // more to read: next round, after the others
      }
      if (!ok) retry.insert(path);
      if (f->writer->closed()) break;
    }
  }
  if (!f->writer->closed()) f->writer->last({{"stopped", true}});
  std::lock_guard lock(mutex_);
  std::erase(followers_, f);
}

}  // namespace ros::sync::server
