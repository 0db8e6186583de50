// ChangeFeed: the durable change feed of ros-syncd (`feed.follow` on
// syncd.sock), what ros-fnd reads to run Realm Functions.
//
// A follower names where it stands: `from` maps Realm paths to the last
// server version it has seen (absent: 0, the whole history), and an optional
// ECMAScript regular expression keeps only the paths it matches (the whole
// path must match, as std::regex_match does). It then gets, as "more" lines:
//   {"subscribed": true}
//   {"path": "/a/settings", "version": 7, "origin_timestamp": <ms since 2015>,
//    "changes": {"<class>": {"inserted": [pk...], "modified": [pk...],
//                            "deleted": [pk...]}},
//    "changeset": "<base64 of the changeset as integrated>"}    (per entry)
//   {"heartbeat": true}   after a second without entries
// `changes` is changeset/touched.hpp's summary (keys in plain_json form);
// it is {} for an entry that only changes the schema. Entries whose
// changeset has no instruction (merged to nothing) are left out.
//
// What it promises:
// - Per Realm, every non-empty entry after the follower's version, in
//   version order, each once per subscription; nothing is skipped: entries
//   are read from the Realm's history (never from a notice), so a follower
//   that was down resumes from its own versions and catches up. Lines of
//   different Realms interleave in no particular order.
// - Only committed entries are sent (read through store::HistoryReader);
//   notify() is called after a commit and only wakes the followers.
// - Flow control: a follower that reads slowly makes its producer wait
//   (Writer::wait_for_room), so no line is ever dropped and memory stays
//   bounded; other followers and the sync service are not held up.
//
// Thread safety: every public method may be called from any thread. Each
// follower has its own thread, which ends when its stream closes or at
// stop(); stop() (and the destructor) join them.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "control/server.hpp"
#include "storage/layout.hpp"

namespace ros::sync::server {

class ChangeFeed {
 public:
  explicit ChangeFeed(storage::Layout layout);
  ~ChangeFeed();  // stop()
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // The Realm at `path` committed new versions.
  void notify(const std::string& path);

  // Starts following for `writer` (see the header). `paths` is the regular
  // expression's text (validated by the caller with follow_regex()).
  void follow(std::shared_ptr<control::Writer> writer, std::optional<std::string> paths,
              std::map<std::string, std::uint64_t> from);

  // Ends every follower's stream and joins their threads. Idempotent.
  void stop();

  // The number of followers whose stream is open; for tests and stat.
  std::size_t followers();

  // The regular expression of a `paths` argument, or invalid_argument
  // "'paths' is not a valid regular expression: <reason>".
  static Result<std::regex> follow_regex(const std::string& text);

 private:
  struct Follower;
  void run(const std::shared_ptr<Follower>& follower);

  const storage::Layout layout_;

  std::mutex mutex_;
  // Guarded by mutex_:
  std::vector<std::shared_ptr<Follower>> followers_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
};

}  // namespace ros::sync::server
